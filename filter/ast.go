package filter

import (
	"strconv"
	"strings"
)

// Pos is a byte offset in the filter text, counting from 0. NoPos marks
// a position that is not known.
type Pos int

// NoPos is the position of nothing.
const NoPos Pos = -1

// Op is a comparison operator.
type Op uint8

// Comparison operators. The first group is sysdig 0.29.3's; the second
// came with later versions of falcosecurity/libs.
const (
	OpInvalid    Op = iota
	OpEq            // =
	OpNe            // !=
	OpLt            // <
	OpLe            // <=
	OpGt            // >
	OpGe            // >=
	OpContains      // contains
	OpIContains     // icontains
	OpStartsWith    // startswith
	OpEndsWith      // endswith
	OpGlob          // glob
	OpIn            // in
	OpIntersects    // intersects
	OpPMatch        // pmatch
	OpExists        // exists

	OpEqEq        // ==, the same as =
	OpIGlob       // iglob
	OpBContains   // bcontains
	OpBStartsWith // bstartswith
	OpRegex       // regex
	numOps
)

var opNames = [numOps]string{
	OpInvalid:     "invalid",
	OpEq:          "=",
	OpNe:          "!=",
	OpLt:          "<",
	OpLe:          "<=",
	OpGt:          ">",
	OpGe:          ">=",
	OpContains:    "contains",
	OpIContains:   "icontains",
	OpStartsWith:  "startswith",
	OpEndsWith:    "endswith",
	OpGlob:        "glob",
	OpIn:          "in",
	OpIntersects:  "intersects",
	OpPMatch:      "pmatch",
	OpExists:      "exists",
	OpEqEq:        "==",
	OpIGlob:       "iglob",
	OpBContains:   "bcontains",
	OpBStartsWith: "bstartswith",
	OpRegex:       "regex",
}

// String returns the operator as written in a filter.
func (op Op) String() string {
	if op < numOps {
		return opNames[op]
	}
	return "Op(" + strconv.Itoa(int(op)) + ")"
}

// IsList reports whether the operator takes a parenthesized list of values.
func (op Op) IsList() bool { return op == OpIn || op == OpIntersects || op == OpPMatch }

// IsUnary reports whether the operator takes no value.
func (op Op) IsUnary() bool { return op == OpExists }

// wordOps maps the operators written as words to their Op.
var wordOps = map[string]Op{
	"contains":    OpContains,
	"icontains":   OpIContains,
	"startswith":  OpStartsWith,
	"endswith":    OpEndsWith,
	"glob":        OpGlob,
	"in":          OpIn,
	"intersects":  OpIntersects,
	"pmatch":      OpPMatch,
	"exists":      OpExists,
	"iglob":       OpIGlob,
	"bcontains":   OpBContains,
	"bstartswith": OpBStartsWith,
	"regex":       OpRegex,
}

// Expr is a node of a parsed filter: *BinaryExpr, *NotExpr, *ParenExpr or
// *CheckExpr.
type Expr interface {
	// Pos is the position of the expression's first byte.
	Pos() Pos
	// End is the position just after its last byte.
	End() Pos
	exprNode()
}

// Logical operators joining expressions.
type LogicalOp uint8

// The logical operators of BinaryExpr.
const (
	And LogicalOp = iota + 1
	Or
)

func (op LogicalOp) String() string {
	switch op {
	case And:
		return "and"
	case Or:
		return "or"
	}
	return "LogicalOp(" + strconv.Itoa(int(op)) + ")"
}

// BinaryExpr is two or more expressions joined by the same logical
// operator: a and b and c. "and" binds tighter than "or".
type BinaryExpr struct {
	Op    LogicalOp
	X     []Expr // at least two
	OpPos []Pos  // position of each "and" or "or", len(X)-1 of them
}

// NotExpr is "not X".
type NotExpr struct {
	Not Pos
	X   Expr
}

// ParenExpr is "(X)".
type ParenExpr struct {
	Lparen Pos
	X      Expr
	Rparen Pos
}

// Field is a field reference as written, such as proc.name or
// proc.aname[2].
type Field struct {
	NamePos Pos
	Name    string
}

// Value is one value of a check.
type Value struct {
	ValuePos Pos
	Raw      string // as written, with its quotes if any
	Text     string // with quotes removed and escapes resolved
	Quoted   bool
}

// End is the position just after the value.
func (v *Value) End() Pos { return v.ValuePos + Pos(len(v.Raw)) }

// CheckExpr compares a field with a value, a list of values, or nothing
// (exists).
type CheckExpr struct {
	Field  Field
	OpPos  Pos
	Op     Op
	Value  *Value   // for the operators taking one value
	Lparen Pos      // for list operators, the '(' of the list
	List   []*Value // for list operators
	Rparen Pos      // for list operators, the ')' of the list
}

func (x *BinaryExpr) Pos() Pos { return x.X[0].Pos() }
func (x *NotExpr) Pos() Pos    { return x.Not }
func (x *ParenExpr) Pos() Pos  { return x.Lparen }
func (x *CheckExpr) Pos() Pos  { return x.Field.NamePos }

func (x *BinaryExpr) End() Pos { return x.X[len(x.X)-1].End() }
func (x *NotExpr) End() Pos    { return x.X.End() }
func (x *ParenExpr) End() Pos  { return x.Rparen + 1 }
func (x *CheckExpr) End() Pos {
	switch {
	case x.Op.IsList():
		return x.Rparen + 1
	case x.Value != nil:
		return x.Value.End()
	}
	return x.OpPos + Pos(len(x.Op.String()))
}

func (*BinaryExpr) exprNode() {}
func (*NotExpr) exprNode()    {}
func (*ParenExpr) exprNode()  {}
func (*CheckExpr) exprNode()  {}

// String renders an expression as a filter that parses back to the same
// tree.
func String(x Expr) string {
	var b strings.Builder
	writeExpr(&b, x)
	return b.String()
}

func writeExpr(b *strings.Builder, x Expr) {
	switch x := x.(type) {
	case *BinaryExpr:
		for i, y := range x.X {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(x.Op.String())
				b.WriteByte(' ')
			}
			writeExpr(b, y)
		}
	case *NotExpr:
		b.WriteString("not ")
		writeExpr(b, x.X)
	case *ParenExpr:
		b.WriteByte('(')
		writeExpr(b, x.X)
		b.WriteByte(')')
	case *CheckExpr:
		b.WriteString(x.Field.Name)
		switch {
		case x.Op.IsUnary():
			b.WriteByte(' ')
			b.WriteString(x.Op.String())
		case x.Op.IsList():
			b.WriteByte(' ')
			b.WriteString(x.Op.String())
			b.WriteString(" (")
			for i, v := range x.List {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(v.Raw)
			}
			b.WriteByte(')')
		default:
			b.WriteByte(' ')
			b.WriteString(x.Op.String())
			b.WriteByte(' ')
			b.WriteString(x.Value.Raw)
		}
	}
}
