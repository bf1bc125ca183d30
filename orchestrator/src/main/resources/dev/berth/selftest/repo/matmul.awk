# Multiplies A and B, made by fill() (matrices.awk) from seed, and prints how long the
# multiplication took ("seconds S", -1 when unknown), then the product, one row a line.
#
#   awk -v n=120 -v seed=20240101 -f matrices.awk -f matmul.awk >product
BEGIN {
    next_seed = fill(A, n, seed)
    fill(B, n, next_seed)
    start = uptime()
    # Row i of C is the sum over k of A[i,k] times row k of B: one lookup of A for n of B
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            row_sum[j] = 0
        }
        for (k = 0; k < n; k++) {
            a = A[i * n + k]
            first = k * n
            for (j = 0; j < n; j++) {
                row_sum[j] += a * B[first + j]
            }
        }
        for (j = 0; j < n; j++) {
            C[i * n + j] = row_sum[j]
        }
    }
    end = uptime()
    print "seconds", (start < 0 || end < 0 ? -1 : end - start)
    for (i = 0; i < n; i++) {
        row = C[i * n]
        for (j = 1; j < n; j++) {
            row = row " " C[i * n + j]
        }
        print row
    }
}
