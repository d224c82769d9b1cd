int Twice(int x) => x * 2;
var loaded = "from helper";
