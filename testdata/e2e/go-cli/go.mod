module example.com/wordtool

go 1.22
