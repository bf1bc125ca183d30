# What matmul.awk and check.awk share: the matrices both make from the same seed, and a clock.

# Fills M (n x n, row by row: entry i,j counted from 0 is M[i * n + j], which awk looks up faster
# than M[i, j]) with integers from -9 to 9 drawn from seed by the Park-Miller generator (seed in
# 1..2147483646), whose products stay below 2^53, so every awk computes them exactly; returns the
# next seed.
function fill(M, n, seed,    i) {
    for (i = 0; i < n * n; i++) {
        seed = (seed * 16807) % 2147483647
        M[i] = seed % 19 - 9
    }
    return seed
}

# Seconds since boot, to the hundredth, from /proc/uptime: awk has no finer clock and busybox's
# date no nanoseconds. -1 where it cannot be read.
function uptime(    line, fields) {
    if ((getline line < "/proc/uptime") <= 0) {
        return -1
    }
    close("/proc/uptime")
    split(line, fields, " ")
    return fields[1] + 0
}
