/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* sys_net.h: fillers of socket syscalls. */
#ifndef SYSCOPE_SYS_NET_H
#define SYSCOPE_SYS_NET_H

#include "progs.h"

PROG_ENTER(socket)
{
	BEGIN(PPME_SOCKET_SOCKET_E, 3);
	push_u32(&e, socket_family_to_scap(ARG(0)));
	push_u32(&e, ARG(1));
	push_u32(&e, ARG(2));
	END();
}

PROG_EXIT(bind)
{
	BEGIN(PPME_SOCKET_BIND_X, 2);
	push_s64(&e, RET);
	push_sockaddr(&e, (void *)ARG(1), ARG(2));
	END();
}

PROG_ENTER(connect)
{
	BEGIN(PPME_SOCKET_CONNECT_E, 2);
	push_fd(&e, ARG(0));
	push_sockaddr(&e, (void *)ARG(1), ARG(2));
	END();
}

/* The tuple is read from the socket, so it carries the local address and
 * port the kernel picked; for a failed or non-blocking connect the remote
 * end falls back to the address the caller gave. */
PROG_EXIT(connect)
{
	BEGIN(PPME_SOCKET_CONNECT_X, 2);
	push_s64(&e, RET);
	push_tuple(&e, (s32)ARG(0), DIR_OUTBOUND, (void *)ARG(1));
	END();
}

PROG_ENTER(listen)
{
	BEGIN(PPME_SOCKET_LISTEN_E, 2);
	push_fd(&e, ARG(0));
	push_u32(&e, ARG(1));
	END();
}

PROG_ENTER(accept4)
{
	BEGIN(PPME_SOCKET_ACCEPT4_5_E, 1);
	push_s32(&e, ARG(3));
	END();
}

/* accept and accept4: the new fd, its tuple (remote -> local), and the
 * listening socket's backlog: queued connections, limit, and percentage. */
PROG_EXIT(accept)
{
	long nr = NR;
	BEGIN(nr == __NR_accept4 ? PPME_SOCKET_ACCEPT4_5_X : PPME_SOCKET_ACCEPT_5_X, 5);
	long ret = RET;
	struct sock *lsk = fd_sock((s32)ARG(0));
	u32 qlen = 0, qmax = 0;
	u8 pct = 0;

	push_s64(&e, ret);
	if (ret >= 0)
		push_tuple(&e, ret, DIR_INBOUND, NULL);
	else
		push_empty(&e);
	if (lsk) {
		qlen = READ_KERN(lsk->sk_ack_backlog);
		qmax = READ_KERN(lsk->sk_max_ack_backlog);
		if (qmax)
			pct = (u64)qlen * 100 / qmax;
	}
	push_u8(&e, pct);
	push_u32(&e, qlen);
	push_u32(&e, qmax);
	END();
}

PROG_ENTER(sendto)
{
	BEGIN(PPME_SOCKET_SENDTO_E, 3);
	long fd = (s32)ARG(0);
	push_s64(&e, fd);
	push_u32(&e, ARG(2));
	push_tuple(&e, fd, DIR_OUTBOUND, (void *)ARG(4));
	END();
}

PROG_EXIT(sendto)
{
	BEGIN(PPME_SOCKET_SENDTO_X, 2);
	long ret = RET;
	push_s64(&e, ret);
	push_user_data(&e, (void *)ARG(1), ret);
	END();
}

PROG_ENTER(recvfrom)
{
	BEGIN(PPME_SOCKET_RECVFROM_E, 2);
	push_fd(&e, ARG(0));
	push_u32(&e, ARG(2));
	END();
}

PROG_EXIT(recvfrom)
{
	BEGIN(PPME_SOCKET_RECVFROM_X, 3);
	long ret = RET;
	push_s64(&e, ret);
	push_user_data(&e, (void *)ARG(1), ret);
	if (ret >= 0)
		push_tuple(&e, (s32)ARG(0), DIR_INBOUND, (void *)ARG(4));
	else
		push_empty(&e);
	END();
}

PROG_ENTER(sendmsg)
{
	BEGIN(PPME_SOCKET_SENDMSG_E, 3);
	long fd = (s32)ARG(0);
	struct user_msghdr mh = {};
	bpf_probe_read_user(&mh, sizeof(mh), (void *)ARG(1));
	push_s64(&e, fd);
	push_u32(&e, iov_total(mh.msg_iov, mh.msg_iovlen));
	push_tuple(&e, fd, DIR_OUTBOUND, mh.msg_name);
	END();
}

PROG_EXIT(sendmsg)
{
	BEGIN(PPME_SOCKET_SENDMSG_X, 2);
	long ret = RET;
	struct user_msghdr mh = {};
	bpf_probe_read_user(&mh, sizeof(mh), (void *)ARG(1));
	push_s64(&e, ret);
	push_iov_data(&e, mh.msg_iov, mh.msg_iovlen, ret);
	END();
}

PROG_EXIT(recvmsg)
{
	BEGIN(PPME_SOCKET_RECVMSG_X, 4);
	long ret = RET;
	struct user_msghdr mh = {};
	bpf_probe_read_user(&mh, sizeof(mh), (void *)ARG(1));
	push_s64(&e, ret);
	push_u32(&e, ret > 0 ? ret : 0);
	push_iov_data(&e, mh.msg_iov, mh.msg_iovlen, ret);
	if (ret >= 0)
		push_tuple(&e, (s32)ARG(0), DIR_INBOUND, mh.msg_name);
	else
		push_empty(&e);
	END();
}

PROG_ENTER(shutdown)
{
	BEGIN(PPME_SOCKET_SHUTDOWN_E, 2);
	push_fd(&e, ARG(0));
	push_u8(&e, small_enum_to_scap(ARG(1), 2));
	END();
}

PROG_ENTER(socketpair)
{
	BEGIN(PPME_SOCKET_SOCKETPAIR_E, 3);
	push_u32(&e, socket_family_to_scap(ARG(0)));
	push_u32(&e, ARG(1));
	push_u32(&e, ARG(2));
	END();
}

/* socketpair: the two fds, then the first socket and its peer as kernel
 * addresses, which is how unix socket tuples name their ends. */
PROG_EXIT(socketpair)
{
	BEGIN(PPME_SOCKET_SOCKETPAIR_X, 5);
	long ret = RET;
	int fds[2] = {-1, -1};
	struct sock *sk = NULL;
	u64 peer = 0;

	if (ret == 0) {
		bpf_probe_read_user(fds, sizeof(fds), (void *)ARG(3));
		sk = fd_sock(fds[0]);
		if (sk)
			peer = (u64)READ_KERN(((struct unix_sock *)sk)->peer);
	}
	push_s64(&e, ret);
	push_s64(&e, fds[0]);
	push_s64(&e, fds[1]);
	push_u64(&e, (u64)sk);
	push_u64(&e, peer);
	END();
}

#endif /* SYSCOPE_SYS_NET_H */
