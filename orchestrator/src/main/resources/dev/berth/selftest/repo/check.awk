# Checks a product that matmul.awk printed, without trusting it: makes A and B again from seed and
# compares A(Bx) with (AB)x for random vectors x (Freivalds' check, n^2 steps where the product
# took n^3). All are integers well below 2^53, so they must be equal exactly. Prints the figures
# as one line and exits 0, or names what is wrong and exits 1.
#
#   awk -v n=120 -v seed=20240101 -v why="no numpy in this image" -f matrices.awk -f check.awk product
NR == 1 {
    if ($1 != "seconds" || NF != 2) {
        problem = "its first line is not \"seconds S\""
        exit 1
    }
    seconds = $2 + 0
    next
}
{
    if (NF != n) {
        problem = "row " (NR - 1) " has " NF " numbers, not " n
        exit 1
    }
    for (j = 1; j <= n; j++) {
        if ($j !~ /^-?[0-9]+$/) {
            problem = "row " (NR - 1) " column " j " is \"" $j "\", not an integer"
            exit 1
        }
        C[(NR - 2) * n + j - 1] = $j + 0
    }
    rows = NR - 1
}
END {
    if (problem == "" && rows != n) {
        problem = "it has " rows + 0 " rows, not " n
    }
    if (problem == "") {
        next_seed = fill(A, n, seed)
        fill(B, n, next_seed)
        srand()
        for (trial = 1; trial <= 2 && problem == ""; trial++) {
            for (j = 0; j < n; j++) {
                x[j] = int(rand() * 2001) - 1000
            }
            for (i = 0; i < n; i++) {
                bx[i] = 0
                cx[i] = 0
                for (j = 0; j < n; j++) {
                    bx[i] += B[i * n + j] * x[j]
                    cx[i] += C[i * n + j] * x[j]
                }
            }
            for (i = 0; i < n && problem == ""; i++) {
                abx = 0
                for (j = 0; j < n; j++) {
                    abx += A[i * n + j] * bx[j]
                }
                if (abx != cx[i]) {
                    problem = "entry " i + 1 " of (AB)x is " cx[i] " where A(Bx) gives " abx
                }
            }
        }
    }
    if (problem != "") {
        printf "cpu: FAILED: the %dx%d product awk made is wrong: %s\n", n, n, problem
        exit 1
    }
    if (seconds > 0) {
        speed = sprintf("%.1f MFLOP/s (%.2f s)", 2 * n * n * n / seconds / 1e6, seconds)
    }
    else if (seconds == 0) {
        speed = "in under 0.01 s"
    }
    else {
        speed = "time unknown (no /proc/uptime)"
    }
    printf "cpu: %s: multiplied %dx%d with awk, %s; product checked: A(Bx) = (AB)x exactly for 2 random vectors\n", why, n, n, speed
}
