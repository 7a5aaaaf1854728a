return {triple = function(x) return 3 * x end}
