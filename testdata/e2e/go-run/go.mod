module example.com/gorun

go 1.22
