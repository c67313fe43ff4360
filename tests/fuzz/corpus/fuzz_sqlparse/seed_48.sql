SELECT $tag$ a+b $tag$, E'\x41\'', U&'\0041', "q""x" FROM t -- c
/* a /* nested */ b */