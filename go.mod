module github.com/syscope/syscope

go 1.26
