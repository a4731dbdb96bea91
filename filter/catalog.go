package filter

import "github.com/syscope/syscope/fields"

// defaultParse is the field catalog Compile uses.
var defaultParse parseFunc = fields.Parse
