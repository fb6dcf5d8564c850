module example.com/goconfig

go 1.22
