import re, sys
s=open(sys.argv[1]).read()
rows=re.findall(r'^\s*/\*([A-Z_0-9a-z]+)\*/\s*\{\s*(EC_[A-Z_]+(?:\s*\|\s*EC_[A-Z_]+)*)\s*,.*?"([^"]*)"\s*\}',s,re.M)
cat={'EC_UNKNOWN':0,'EC_OTHER':1,'EC_FILE':2,'EC_NET':3,'EC_IPC':4,'EC_MEMORY':5,'EC_PROCESS':6,'EC_SLEEP':7,'EC_SYSTEM':8,'EC_SIGNAL':9,'EC_USER':10,'EC_TIME':11,'EC_PROCESSING':12,'EC_IO_READ':32,'EC_IO_WRITE':33,'EC_IO_OTHER':34,'EC_WAIT':64,'EC_SCHEDULER':128,'EC_INTERNAL':256}
out=['// Code generated from falcosecurity/libs e5c53d64 userspace/libscap/syscall_info_table.c; DO NOT EDIT.\n\npackage fields\n\nimport "github.com/syscope/syscope/event"\n\n// syscallCategories029 is the category of each PPM_SC code, for the\n// generic syscall events.\nvar syscallCategories029 = [...]event.Category{\n']
for name,c,n in rows:
    v=0
    for p in c.split('|'):
        v|=cat[p.strip()]
    out.append('\t%d, // %s\n'%(v,n))
out.append('}\n')
open(sys.argv[2],'w').write(''.join(out))
print(len(rows))
