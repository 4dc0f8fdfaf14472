/* The claims path's two hot loops in C: the decision sort and the five rules.
 *
 * Loaded with ctypes by kernels/__init__.py when the build compiled this file
 * (hatch_build.py); without a C compiler the package runs the same steps in numpy
 * (data/claims.py, rules/claims.py), and the tests hold the two to identical results.
 * ctypes lets go of the GIL for the length of each call, so two calls on two threads
 * run on two cores.
 *
 * Plain C99 and the C library only: no Python headers, nothing that differs between
 * Python versions. Every index passed in is in range by construction (the Python side
 * makes the codes); the functions never read or write past the lengths they are given.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bumped with every change of a signature or a meaning: the loader refuses a library
   whose version differs (one left over from an older build). */
int64_t obc_kernels_version(void) { return 2; }

/* The SHA-256 (first 16 hex digits) of this file as it was compiled, given by
   hatch_build.py: the loader refuses a library built from another text of it (an edit not
   yet rebuilt), whatever its version. */
#ifndef OBC_SOURCE
#define OBC_SOURCE ""
#endif
const char *obc_kernels_source(void) { return OBC_SOURCE; }

#define DIGIT_BITS 11
#define PAIRS 65536

/* The symbol at position `at` of a fixed-width string: the big-endian byte pair
   2 at, 2 at + 1, or the last byte alone when the width is odd (claims.py, _Piece). */
static inline int64_t symbol(const uint8_t *row, int64_t at, int64_t width) {
    return 2 * at + 1 < width ? (int64_t)row[2 * at] << 8 | row[2 * at + 1] : row[2 * at];
}

/* Which symbols occur at each position of n strings of `width` bytes, stored one after
 * another from `data`: seen[at * 65536 + symbol] = 1 for each position at < (width + 1) / 2
 * (the rest left as they are, so that two halves may mark a table each, OR-ed after). */
void obc_mark_symbols(int64_t n, const uint8_t *data, int64_t width, uint8_t *seen) {
    int64_t positions = (width + 1) / 2;
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *row = data + i * width;
        for (int64_t at = 0; at < positions; at++) seen[at * PAIRS + symbol(row, at, width)] = 1;
    }
}

/* Each string's position code (claims.py, _book_codes): for each kept position in turn,
 * code = code * radix + the digit of its symbol. `digits` holds a row of 65536 digits for
 * each kept position; `where` and `radix` that position and its radix. */
#define MAX_KEPT 8 /* positions of a string of at most 16 bytes (claims.py, MAX_BYTES) */

int obc_fill_codes(int64_t n, const uint8_t *data, int64_t width, int64_t kept,
                   const int64_t *where, const int64_t *radix, const int32_t *digits,
                   int64_t *code) {
    /* the same number as the Horner form, as a sum of digit x weight (the product of the
       later radices): the products are independent, not a chain of multiplications */
    int64_t weight[MAX_KEPT], at[MAX_KEPT];
    if (kept > MAX_KEPT) return -1;
    int64_t w = 1;
    for (int64_t k = kept - 1; k >= 0; k--) {
        weight[k] = w;
        at[k] = where[k];
        w *= radix[k];
    }
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *row = data + i * width;
        int64_t c = 0;
        for (int64_t k = 0; k < kept; k++)
            c += (int64_t)digits[k * PAIRS + symbol(row, at[k], width)] * weight[k];
        code[i] = c;
    }
    return 0;
}

/* Dense ranks of codes below `span` (claims.py, person_ranks), in two steps.
 *
 * obc_code_table: table[c] (span entries) = the rank of code c among the distinct codes
 * that occur, -1 for one that does not; rows[r] = a row holding the code of rank r.
 * Returns the number of distinct codes. obc_take_ranks then gives each row its code's rank
 * (read-only on the table, so two halves may run at once). */
int64_t obc_code_table(int64_t n, const int64_t *code, int64_t span, int64_t *table,
                       int64_t *rows) {
    for (int64_t c = 0; c < span; c++) table[c] = -1;
    for (int64_t i = 0; i < n; i++) table[code[i]] = i;
    int64_t r = 0;
    for (int64_t c = 0; c < span; c++) {
        if (table[c] >= 0) {
            rows[r] = table[c];
            table[c] = r++;
        }
    }
    return r;
}

void obc_take_ranks(int64_t n, const int64_t *code, const int64_t *table, int32_t *rank) {
    for (int64_t i = 0; i < n; i++) rank[i] = (int32_t)table[code[i]];
}

/* Sort the claims [0, n) by decision key, as packed int64 values.
 *
 * Each claim's key is ((day - first) << pb | price) << qb | person, packed above its
 * position (offset + i, below 2**nb): v = key << nb | position. The caller guarantees
 * key < 2**kb and kb + nb <= 63. An LSD radix sort of the key's bits, in passes of at
 * most DIGIT_BITS bits (every pass's counts are made in one read of the values), is
 * stable, and the values start in position order, so equal keys (repeated rows) stay in
 * position order, as numpy's stable argsort of the keys would have them.
 *
 * out: n values, sorted. Returns 0, or -1 when scratch memory could not be had.
 */
int obc_sort_claims(int64_t n, const int32_t *day, const int32_t *price, const int32_t *person,
                    int64_t first, int pb, int qb, int nb, int kb, int64_t offset,
                    int64_t *out) {
    if (n <= 0) return 0;
    int passes = kb <= 0 ? 0 : (kb + DIGIT_BITS - 1) / DIGIT_BITS;
    int width = passes ? (kb + passes - 1) / passes : 0;
    int64_t buckets = (int64_t)1 << width;
    int64_t mask = buckets - 1;
    int64_t *spare = malloc((size_t)n * sizeof(int64_t));
    int64_t *counts = calloc((size_t)(passes ? passes : 1) * (size_t)buckets, sizeof(int64_t));
    if (!spare || !counts) {
        free(spare);
        free(counts);
        return -1;
    }
    /* the values are built into the buffer the last pass does not write, so that the
       result lands in `out` */
    int64_t *a = (passes % 2 == 0) ? out : spare;
    int64_t *b = (passes % 2 == 0) ? spare : out;
    for (int64_t i = 0; i < n; i++) {
        int64_t key = (((int64_t)day[i] - first) << pb | (int64_t)price[i]) << qb
                      | (int64_t)person[i];
        a[i] = key << nb | (offset + i);
        for (int p = 0; p < passes; p++) counts[(int64_t)p * buckets + ((key >> (p * width)) & mask)]++;
    }
    for (int p = 0; p < passes; p++) {
        int64_t *h = counts + (int64_t)p * buckets;
        int64_t sum = 0;
        for (int64_t c = 0; c < buckets; c++) {
            int64_t t = h[c];
            h[c] = sum;
            sum += t;
        }
        int shift = nb + p * width;
        for (int64_t i = 0; i < n; i++) {
            int64_t v = a[i];
            b[h[(v >> shift) & mask]++] = v;
        }
        int64_t *t = a;
        a = b;
        b = t;
    }
    if (a != out) memcpy(out, a, (size_t)n * sizeof(int64_t)); /* never: passes' parity */
    free(spare);
    free(counts);
    return 0;
}

static void decode(int64_t v, int64_t at, int pb, int qb, int nb, int64_t first,
                   int64_t *order, int32_t *person, int32_t *price, int32_t *day) {
    int64_t key = v >> nb;
    order[at] = v & (((int64_t)1 << nb) - 1);
    person[at] = (int32_t)(key & (((int64_t)1 << qb) - 1));
    price[at] = (int32_t)((key >> qb) & (((int64_t)1 << pb) - 1));
    day[at] = (int32_t)((key >> (qb + pb)) + first);
}

/* Half of the merge of two sorted runs of packed values, decoded into the codes.
 *
 * The runs are values[0, cut) and values[cut, n), distinct values. front != 0 writes
 * the n / 2 least of the merge into positions [0, n / 2), taking from the runs' starts;
 * front == 0 writes the rest into [n / 2, n), taking from their ends backwards. The two
 * halves write disjoint positions, so two threads may make them at once. Each position
 * gets its claim's table position (order), person, price and day. Returns 1 when two
 * neighbours written here have equal keys (a repeated row), else 0; the caller compares
 * the two positions either side of n / 2.
 */
int obc_merge_decode(int64_t n, const int64_t *values, int64_t cut, int front, int pb, int qb,
                     int nb, int64_t first, int64_t *order, int32_t *person, int32_t *price,
                     int32_t *day) {
    int64_t k = n / 2;
    int repeats = 0;
    if (front) {
        int64_t i = 0, j = cut, prev = -1;
        for (int64_t at = 0; at < k; at++) {
            int64_t v;
            if (j >= n || (i < cut && values[i] < values[j])) v = values[i++];
            else v = values[j++];
            int64_t key = v >> nb;
            if (at && key == prev) repeats = 1;
            prev = key;
            decode(v, at, pb, qb, nb, first, order, person, price, day);
        }
    } else {
        int64_t i = cut - 1, j = n - 1, prev = -1;
        for (int64_t at = n - 1; at >= k; at--) {
            int64_t v;
            if (j < cut || (i >= 0 && values[i] > values[j])) v = values[i--];
            else v = values[j--];
            int64_t key = v >> nb;
            if (at != n - 1 && key == prev) repeats = 1;
            prev = key;
            decode(v, at, pb, qb, nb, first, order, person, price, day);
        }
    }
    return repeats;
}

enum { PAID, OUTSIDE_TERM, AFTER_AS_OF, BEFORE_START, OUTSIDE_WINDOW, REPEAT, PRICE_LIMIT,
       PERSON_CAP, TERM_CAP };

/* The five rules of RECORDS.md, one claim at a time in decision order.
 *
 * The same loop as rules/claims.py's decide_in_order, over int64 money that the caller
 * has clipped so that no running sum passes 2**62 (Inputs.exact is false). price and
 * person are codes below prices and people; started and window_end are by person
 * (used when window != 0). once (0/1) and limit (-1 for none) are by price.
 * reason and amount: n each, written for every claim.
 * Returns 0, or -1 when the table of paid (price, person) pairs could not be had.
 */
int obc_decide(int64_t n, const int32_t *price, const int32_t *person, const int32_t *day,
               const int32_t *started, const int32_t *window_end, int64_t prices,
               int64_t people, const int64_t *amounts, const uint8_t *once,
               const int64_t *limit, int has_person_cap, int64_t person_cap,
               int64_t term_cap, int64_t term_start, int64_t term_end, int64_t as_of,
               int window, int8_t *reason, int64_t *amount) {
    uint64_t pairs = (uint64_t)prices * (uint64_t)people;
    uint8_t *paid_pair = calloc((size_t)(pairs / 8 + 1), 1); /* a bit per (price, person) */
    int64_t *count = calloc((size_t)(prices ? prices : 1), sizeof(int64_t));
    int64_t *person_paid = calloc((size_t)(people ? people : 1), sizeof(int64_t));
    if (!paid_pair || !count || !person_paid) {
        free(paid_pair);
        free(count);
        free(person_paid);
        return -1;
    }
    int64_t term_left = term_cap;
    for (int64_t k = 0; k < n; k++) {
        int64_t d = day[k];
        amount[k] = 0;
        if (d < term_start || d > term_end) {
            reason[k] = OUTSIDE_TERM;
            continue;
        }
        if (d > as_of) {
            reason[k] = AFTER_AS_OF;
            continue;
        }
        int64_t who = person[k], j = price[k];
        if (window) {
            if (d < started[who]) {
                reason[k] = BEFORE_START;
                continue;
            }
            if (d > window_end[who]) {
                reason[k] = OUTSIDE_WINDOW;
                continue;
            }
        }
        uint64_t bit = (uint64_t)j * (uint64_t)people + (uint64_t)who;
        if (once[j] && (paid_pair[bit >> 3] >> (bit & 7) & 1)) {
            reason[k] = REPEAT;
            continue;
        }
        if (limit[j] >= 0 && count[j] >= limit[j]) {
            reason[k] = PRICE_LIMIT;
            continue;
        }
        int64_t pay = amounts[j];
        if (has_person_cap && person_cap - person_paid[who] < pay) pay = person_cap - person_paid[who];
        if (term_left < pay) pay = term_left;
        if (pay <= 0) {
            reason[k] = term_left <= 0 ? TERM_CAP : PERSON_CAP;
            continue;
        }
        reason[k] = PAID;
        amount[k] = pay;
        term_left -= pay;
        person_paid[who] += pay;
        count[j]++;
        paid_pair[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
    free(paid_pair);
    free(count);
    free(person_paid);
    return 0;
}
