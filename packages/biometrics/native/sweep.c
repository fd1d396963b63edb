/*
 * The sweep and the vote count of the 1:N index's batch search (packages/biometrics/src/identify/shard.ts,
 * `IndexShard.votesOfMany`), compiled: for each visit of a sorted list, the postings of
 * its cell whose detail lies within the accepted steps, written as (template << 5 |
 * rotation bin relative to the probe's). It does exactly what `IndexShard.scanCell` does
 * in JavaScript, which stays the reference (and the path when this addon is not built);
 * a test checks the two agree. It is the innermost loop of de-duplicating a roll: some
 * 30 postings read per visit, 15,000 visits per four-finger probe and shard.
 *
 * Only typed arrays the caller owns are read and written; every index is checked against
 * their lengths, so a corrupt index or a wrong argument throws instead of reading past
 * an array.
 */
#include <node_api.h>
#include <stdint.h>
#include <stddef.h>

#define ORDER_KEY_MASK 0x3fu
#define SIDE_STEP_MASK 7u
#define ROTATION_MASK 31u

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int typed(napi_env env, napi_value value, napi_typedarray_type want, void **data,
                 size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok)
    return 0;
  return type == want;
}

static int whole(napi_env env, napi_value value, uint32_t *out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) return 0;
  if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) return 0;
  *out = (uint32_t)d;
  return 1;
}

/*
 * The first of details[from..end) whose order key is at least `key` (they are in key
 * order), or `end`. Without a branch on the comparison, which goes either way at random.
 */
static inline uint32_t lower_bound(const uint16_t *details, uint32_t from, uint32_t end,
                                   uint32_t key) {
  uint32_t n = end - from;
  if (n == 0) return end;
  const uint16_t *base = details + from;
  while (n > 1) {
    const uint32_t half = n >> 1;
    base = ((uint32_t)(base[half - 1] & ORDER_KEY_MASK) < key) ? base + half : base;
    n -= half;
  }
  return (uint32_t)(base - details) + ((uint32_t)(base[0] & ORDER_KEY_MASK) < key);
}

/*
 * sweep(cellStart, details, postings, cells, accepts, refs, limits, from, to, out, at, ends)
 * Visits from..to-1; returns the visit it stopped before: `to`, or earlier when `out` has
 * no room left for the next visit's whole cell (the caller grows `out` and goes on).
 * ends[v] is where visit v's passes end in `out`; the first pass is written at `at`.
 */
static napi_value Sweep(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 12)
    return fail(env, "sweep takes 12 arguments");
  uint32_t *cell_start, *postings, *cells, *accepts, *refs, *limits, *out, *ends;
  uint16_t *details;
  size_t n_cell_start, n_details, n_postings, n_cells, n_accepts, n_refs, n_limits, n_out,
      n_ends;
  if (!typed(env, argv[0], napi_uint32_array, (void **)&cell_start, &n_cell_start) ||
      !typed(env, argv[1], napi_uint16_array, (void **)&details, &n_details) ||
      !typed(env, argv[2], napi_uint32_array, (void **)&postings, &n_postings) ||
      !typed(env, argv[3], napi_uint32_array, (void **)&cells, &n_cells) ||
      !typed(env, argv[4], napi_uint32_array, (void **)&accepts, &n_accepts) ||
      !typed(env, argv[5], napi_uint32_array, (void **)&refs, &n_refs) ||
      !typed(env, argv[6], napi_uint32_array, (void **)&limits, &n_limits) ||
      !typed(env, argv[9], napi_uint32_array, (void **)&out, &n_out) ||
      !typed(env, argv[11], napi_uint32_array, (void **)&ends, &n_ends))
    return fail(env, "sweep takes Uint32Array, Uint16Array and Uint32Array arguments");
  uint32_t from, to, at;
  if (!whole(env, argv[7], &from) || !whole(env, argv[8], &to) || !whole(env, argv[10], &at))
    return fail(env, "sweep takes whole numbers for from, to and at");
  if (n_details != n_postings || n_cell_start < 2 || to > n_cells || to > n_accepts ||
      to > n_refs || to > n_ends || from > to || at > n_out)
    return fail(env, "sweep's arrays are shorter than its bounds");
  const uint32_t cell_count = (uint32_t)n_cell_start - 1;
  uint32_t v = from;
  for (; v < to; v++) {
    const uint32_t cell = cells[v];
    if (cell >= cell_count) return fail(env, "sweep was given a cell outside the index");
    const uint32_t start = cell_start[cell];
    const uint32_t end = cell_start[cell + 1];
    if (end < start || end > n_postings) return fail(env, "sweep was given a corrupt index");
    if ((size_t)at + (end - start) > n_out) break; /* no room: the caller grows out */
    const uint32_t accept = accepts[v];
    const uint32_t ref = refs[v];
    const uint32_t probe = ref >> 8;
    if (probe >= n_limits) return fail(env, "sweep was given a probe without a limit");
    const uint64_t limit = (uint64_t)limits[probe] << 5;
    const uint32_t pr = (ref & 0xffu) >> 3;
    const uint32_t a_lo = accept >> 28;
    const uint32_t a_hi = ref & SIDE_STEP_MASK;
    const uint32_t mb = accept & 0xffu;
    const uint32_t mc = (accept >> 8) & 0xffu;
    const uint32_t m0 = (accept >> 16) & 0xfu;
    const uint32_t m1 = (accept >> 20) & 0xfu;
    const uint32_t m2 = (accept >> 24) & 0xfu;
    if (mb == 0) {
      ends[v] = at;
      continue;
    }
    const uint32_t b_lo = (uint32_t)__builtin_ctz(mb);
    const uint32_t b_hi = 31u - (uint32_t)__builtin_clz(mb);
    uint32_t p = start;
    for (uint32_t a = a_lo; a <= a_hi && p < end; a++) {
      const uint32_t first = (a << 3) | b_lo;
      const uint32_t last = (a << 3) | b_hi;
      p = lower_bound(details, p, end, first);
      for (; p < end; p++) {
        const uint32_t d = details[p];
        if ((d & ORDER_KEY_MASK) > last) break;
        const uint32_t pass = (mc >> ((d >> 6) & 7u)) & (m0 >> ((d >> 9) & 3u)) &
                              (m1 >> ((d >> 11) & 3u)) & (m2 >> ((d >> 13) & 3u)) & 1u;
        const uint32_t code = postings[p];
        /* Written always, kept only when it passes: about one posting in six passes, at
           random, and a branch on it would mispredict often. `at` never runs past the
           cell's room, checked above. */
        out[at] = (code & ~ROTATION_MASK) | (((code & ROTATION_MASK) - pr) & ROTATION_MASK);
        at += pass & (uint32_t)(code < limit);
      }
    }
    ends[v] = at;
  }
  napi_value result;
  napi_create_uint32(env, v, &result);
  return result;
}

/*
 * cast(codes, from, to, votes, best, touched, touchedCount): what `castVotes` does in
 * shard.ts, for the codes (template << 5 | rotation bin) codes[from..to): one vote in
 * each code's bin of `votes` (templates x 32 bytes), each template's best run of three
 * adjacent bins centred on a bin with votes of its own kept in `best`, and templates
 * voted for the first time appended to `touched`. Returns the new number touched.
 */
static napi_value Cast(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7)
    return fail(env, "cast takes 7 arguments");
  uint32_t *codes;
  uint8_t *votes, *best;
  int32_t *touched;
  size_t n_codes, n_votes, n_best, n_touched;
  if (!typed(env, argv[0], napi_uint32_array, (void **)&codes, &n_codes) ||
      !typed(env, argv[3], napi_uint8_array, (void **)&votes, &n_votes) ||
      !typed(env, argv[4], napi_uint8_array, (void **)&best, &n_best) ||
      !typed(env, argv[5], napi_int32_array, (void **)&touched, &n_touched))
    return fail(env, "cast takes Uint32Array, Uint8Array, Uint8Array and Int32Array arguments");
  uint32_t from, to, count;
  if (!whole(env, argv[1], &from) || !whole(env, argv[2], &to) || !whole(env, argv[6], &count))
    return fail(env, "cast takes whole numbers for from, to and touchedCount");
  if (from > to || to > n_codes || n_votes < n_best * 32 || n_touched < n_best || count > n_best)
    return fail(env, "cast's arrays are shorter than its bounds");
  for (uint32_t q = from; q < to; q++) {
    const uint32_t code = codes[q];
    const uint32_t id = code >> 5;
    if (id >= n_best) return fail(env, "cast was given a template outside its counts");
    const uint32_t r = code & ROTATION_MASK;
    uint8_t *bins = votes + (size_t)id * 32;
    const uint32_t v = bins[r];
    if (v == 255) continue;
    bins[r] = (uint8_t)(v + 1);
    const uint32_t left = bins[(r - 1) & ROTATION_MASK];
    const uint32_t right = bins[(r + 1) & ROTATION_MASK];
    const uint32_t centred = left + v + 1 + right;
    uint32_t w = centred;
    if (left > 0) {
      const uint32_t run = centred - right + bins[(r - 2) & ROTATION_MASK];
      if (run > w) w = run;
    }
    if (right > 0) {
      const uint32_t run = centred - left + bins[(r + 2) & ROTATION_MASK];
      if (run > w) w = run;
    }
    const uint32_t b = best[id];
    if (w > b) {
      if (b == 0) {
        if (count >= n_touched) return fail(env, "cast touched more templates than it holds");
        touched[count++] = (int32_t)id;
      }
      best[id] = (uint8_t)(w > 255 ? 255 : w);
    }
  }
  napi_value result;
  napi_create_uint32(env, count, &result);
  return result;
}

/* uncast(codes, from, to, votes, best): clears each code's bin and its template's best. */
static napi_value Uncast(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5)
    return fail(env, "uncast takes 5 arguments");
  uint32_t *codes;
  uint8_t *votes, *best;
  size_t n_codes, n_votes, n_best;
  if (!typed(env, argv[0], napi_uint32_array, (void **)&codes, &n_codes) ||
      !typed(env, argv[3], napi_uint8_array, (void **)&votes, &n_votes) ||
      !typed(env, argv[4], napi_uint8_array, (void **)&best, &n_best))
    return fail(env, "uncast takes Uint32Array and Uint8Array arguments");
  uint32_t from, to;
  if (!whole(env, argv[1], &from) || !whole(env, argv[2], &to))
    return fail(env, "uncast takes whole numbers for from and to");
  if (from > to || to > n_codes || n_votes < n_best * 32)
    return fail(env, "uncast's arrays are shorter than its bounds");
  for (uint32_t q = from; q < to; q++) {
    const uint32_t id = codes[q] >> 5;
    if (id >= n_best) return fail(env, "uncast was given a template outside its counts");
    votes[(size_t)id * 32 + (codes[q] & ROTATION_MASK)] = 0;
    best[id] = 0;
  }
  return NULL;
}

static int export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  if (!export_function(env, exports, "sweep", Sweep) ||
      !export_function(env, exports, "cast", Cast) ||
      !export_function(env, exports, "uncast", Uncast))
    return NULL;
  return exports;
}
