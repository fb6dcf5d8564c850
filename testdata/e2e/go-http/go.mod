module example.com/gohttp

go 1.22
