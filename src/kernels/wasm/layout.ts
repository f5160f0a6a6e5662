// The memory layout shared by the WASM kernels (assembly/, compiled by AssemblyScript, which
// imports this file as "../layout") and their TypeScript host (engine.ts, imports "./layout.js").
// Plain integer constants only, so the file is valid in both languages. Offsets are in i32 words
// unless named *_BYTES.

/** Bytes [0, ARENA_BASE) hold the control block; the host's arena starts at ARENA_BASE. */
export const ARENA_BASE = 65536;
/** Memory pages (64 KiB): initial and maximum (2 GiB) of the WebAssembly memory. */
export const INITIAL_PAGES = 64;
export const MAXIMUM_PAGES = 32768;

// Control block (i32 words at byte 0): the host writes a job, every thread calls run(tid).
export const CTL_GEN = 0; // bumped once per dispatch (workers wait on it)
export const CTL_PENDING = 1; // workers that still have to finish the current job
export const CTL_JOB = 2; // job id (JOB_*)
export const CTL_NTASKS = 3; // tasks in the job
export const CTL_COUNTER = 4; // next task to take (atomic)
export const CTL_PARAMS = 5; // byte address of the job's parameter block
export const CTL_ERROR = 6; // non-zero when a worker failed
export const CTL_READY = 7; // workers started
export const CTL_SCRATCH = 8; // byte address of per-thread scratch
export const CTL_SCRATCH_BYTES = 9; // bytes of scratch per thread
export const CTL_EPOCH = 10; // workers of an older epoch leave their loop
export const CTL_ACTIVE = 11; // threads taking part in the current job (tid < CTL_ACTIVE)
export const CTL_WORKER_TASKS = 12; // tasks run by workers (tid > 0) since start, for tests and stats
export const CTL_PROGRESS = 13; // streamed jobs: images (outer index) of the input copied so far

export const JOB_QUIT = -1;
export const JOB_SEGGEMM = 1;
export const JOB_FILTERGRAD = 2;
export const JOB_MAXPOOL = 3;
export const JOB_MAXPOOL_GRAD = 4;
export const JOB_AVGPOOL = 5;
export const JOB_AVGPOOL_GRAD = 6;
export const JOB_DEPTHWISE = 7;
export const JOB_DEPTHWISE_GRAD_INPUT = 8;
export const JOB_DEPTHWISE_GRAD_FILTER = 9;
export const JOB_PROBE = 10;
export const JOB_COL2IM = 11;
export const JOB_BN_STATS = 12;
export const JOB_BN_APPLY = 13;
export const JOB_BN_GRAD_STATS = 14;
export const JOB_BN_GRAD_INPUT = 15;

// JOB_SEGGEMM: out[row, 0..n) (+)= Σ_seg Σ_e src[base(row) + seg.off + 4e] · B[kd, 0..n), rows in
// 4-row blocks, columns in 8-wide panels of the packed B ([panel][kd][8], zero-padded). A row
// index decomposes as (img, d, r, u) over [m, D, R, U]; base(row) and out(row) are affine in
// these. Several phases (strided transposed convolutions) share one job. Parameter block: word 0
// = number of phases, then SG_WORDS per phase.
export const SG_WORDS = 24;
export const SG_TASK0 = 0; // first task of this phase
export const SG_NTASKS = 1;
export const SG_ROWS_PER_TASK = 2; // a multiple of 4
export const SG_M = 3;
export const SG_D = 4;
export const SG_R = 5;
export const SG_U = 6;
export const SG_SRC = 7; // bytes; then strides in bytes for img, d, r, u
export const SG_SRC_IMG = 8;
export const SG_SRC_D = 9;
export const SG_SRC_R = 10;
export const SG_SRC_U = 11;
export const SG_DST = 12;
export const SG_DST_IMG = 13;
export const SG_DST_D = 14;
export const SG_DST_R = 15;
export const SG_DST_U = 16;
export const SG_SEGS = 17; // byte address of (offsetBytes, length) i32 pairs
export const SG_NSEG = 18;
export const SG_B = 19; // packed B
export const SG_KD = 20; // Σ segment lengths
export const SG_N = 21; // columns
export const SG_FLAGS = 22; // SG_ACCUMULATE | SG_ZERO
export const SG_DUMP = 23; // 32 floats where rows past the end are stored
export const SG_ACCUMULATE = 1;
export const SG_ZERO = 2;
export const SG_STREAMED = 4; // a task first waits until CTL_PROGRESS > the img of its last row

// JOB_FILTERGRAD: dW[kd, 0..k) = Σ_p src[base(p) + off(kd)] · dy[p, 0..k) over all output pixels p.
// The output is tiled in (4 consecutive kd) × (8 columns) pairs. The pixels are split into fixed
// groups of FG_GROUP pixels (a multiple of FG_CHUNK that depends on the problem only); a task is
// one group × one range of pairs and sums its group chunk by chunk into that group's partial dW
// (FG_PARTIAL + g·kd·k floats); the partials are then added in group order. Every sum thus has a
// fixed order whatever the number of threads. Row blocks are (off0, off1, off2, off3, firstKd,
// rows) sextets: the byte offsets of the block's 4 kd in a receptive field.
export const FG_WORDS = 24;
export const FG_PIXELS = 0;
export const FG_M = 1;
export const FG_D = 2;
export const FG_R = 3;
export const FG_U = 4;
export const FG_SRC = 5;
export const FG_SRC_IMG = 6;
export const FG_SRC_D = 7;
export const FG_SRC_R = 8;
export const FG_SRC_U = 9;
export const FG_DY = 10;
export const FG_K = 11;
export const FG_PARTIAL = 12; // group partials (the output itself when there is one group)
export const FG_BLOCKS = 13; // byte address of the row-block sextets
export const FG_NBLOCKS = 14;
export const FG_NPANELS = 15;
export const FG_RANGES = 16; // pair ranges per group (tasks = groups × ranges)
export const FG_STREAMED = 17; // non-zero: wait for CTL_PROGRESS to cover each chunk's images
export const FG_GROUP = 18; // pixels per group
export const FG_KD = 19;
export const FG_PACK = 20; // byte address of the threads' packing buffers (FG_PACK_BYTES each)
export const FG_PACK_BYTES = 21; // per thread: FG_CHUNK·npanels·32 bytes of dy panels, then FG_CHUNK·16 of x
export const FG_FLAGS = 22; // FG_PACK_DY | FG_PACK_X
export const FG_PACK_DY = 1; // copy each chunk's dy panel by panel before its pairs (rows far apart)
export const FG_PACK_X = 2; // copy each block's 4 kd of every pixel of a chunk side by side first
export const FG_CHUNK = 64;

// JOB_COL2IM: conv input gradient as dcol = dy · filterᵀ (a GEMM over the output pixels, N = kd
// columns) scattered into dx; one image per task (the scatter of an image in pixel-then-tap order).
// Used when the phase form would waste lanes (few channels) or taps (valid padding).
export const CG_WORDS = 28;
export const CG_OD = 0; // output extents
export const CG_OH = 1;
export const CG_OW = 2;
export const CG_D = 3; // input extents
export const CG_H = 4;
export const CG_W = 5;
export const CG_C = 6;
export const CG_K = 7;
export const CG_FD = 8;
export const CG_FH = 9;
export const CG_FW = 10;
export const CG_SD = 11;
export const CG_SH = 12;
export const CG_SW = 13;
export const CG_DD = 14;
export const CG_DH = 15;
export const CG_DW = 16;
export const CG_PF = 17;
export const CG_PT = 18;
export const CG_PL = 19;
export const CG_DY = 20; // dy [m, od·oh·ow, k], contiguous
export const CG_B = 21; // the filter packed as B [k][kd] (8-wide panels over kd)
export const CG_DX = 22;
export const CG_DCOL = 23; // per-thread 4 × kd8 floats
export const CG_SEGS = 24; // one segment (0, k)
export const CG_STREAMED = 25;

// Pooling: x [m, h, w, c] → y [m, oh, ow, c] (both contiguous), windows fh×fw, stride, padding;
// tasks are output rows (img, oy).
export const PL_WORDS = 18;
export const PL_M = 0;
export const PL_H = 1;
export const PL_W = 2;
export const PL_C = 3;
export const PL_FH = 4;
export const PL_FW = 5;
export const PL_SH = 6;
export const PL_SW = 7;
export const PL_PT = 8;
export const PL_PL = 9;
export const PL_OH = 10;
export const PL_OW = 11;
export const PL_X = 12; // x (forward) or dx (gradient), bytes
export const PL_Y = 13; // y or dy
export const PL_ARG = 14; // argmax (i32, flat index into x)
export const PL_ROWS_PER_TASK = 15;
// The max-pool gradient without an argmax (PL_ARG = 0): x, whose windows are scanned again for the
// forward's first maximum. Tasks are output rows when windows do not overlap, else images.
export const PL_XSRC = 16;
// Max pooling with window codes (u8: the maximum's position in its clipped window, row by row)
// instead of an argmax: written by the forward, read by the gradient (PL_ARG = 0).
export const PL_CODE = 17;

// Depthwise conv: x padded [m, Hp, Wp, c] (forward, filter grad) or dy padded (input grad),
// filter [fh, fw, c, mult], out [m, oh, ow, c·mult].
export const DW_WORDS = 26;
export const DW_M = 0;
export const DW_H = 1; // rows/cols of the unpadded input
export const DW_W = 2;
export const DW_C = 3;
export const DW_MULT = 4;
export const DW_FH = 5;
export const DW_FW = 6;
export const DW_SH = 7;
export const DW_SW = 8;
export const DW_DH = 9;
export const DW_DW = 10;
export const DW_PT = 11;
export const DW_PL = 12;
export const DW_OH = 13;
export const DW_OW = 14;
export const DW_X = 15; // padded source (bytes)
export const DW_HP = 16; // padded rows/cols of the source
export const DW_WP = 17;
export const DW_F = 18; // filter
export const DW_Y = 19; // output or dy
export const DW_OUT = 20; // dx or dW
export const DW_ROWS_PER_TASK = 21;
export const DW_BIAS = 22; // forward 3×3 fast path: fused epilogue bias [k] (bytes, 0: none)
export const DW_SCALE = 23; // … scale [k] (bytes, 0: none)
export const DW_ACT = 24; // … 0 linear, 1 relu, 2 relu6
export const DW_PS = 25; // 3×3 fast path: floats between x's pixels in the arena (c, or c + 16 against cache-set aliasing)
export const DW_CBLOCK = 16; // channels per filter-grad task

// Batch norm over x [n, c] (both contiguous). The kernels walk the flat data in groups of BN_R
// rows (BN_R = 4 / gcd(c, 4), so a group's BN_R·c = BN_P lanes are whole f32x4 vectors whatever c)
// against per-lane parameter arrays of BN_P floats (channel j % c at lane j). A task is a fixed
// block of BN_ROWS_PER_TASK rows (a multiple of BN_R that depends on n and c only); the reductions
// write each task's per-lane float64 sums to its own slot ([task][2][BN_P] f64 at BN_PARTIAL, f32
// chunk sums at BN_CHUNKS: [task][3][BN_P]), which the host adds up in task order.
export const BN_WORDS = 16;
export const BN_N = 0; // rows
export const BN_C = 1; // channels
export const BN_R = 2; // rows per group
export const BN_ROWS_PER_TASK = 3;
export const BN_X = 4; // x (bytes)
export const BN_Y = 5; // y (apply) or dy (gradients)
export const BN_OUT = 6; // dx (input gradient)
export const BN_PARTIAL = 7; // f64 per-task sums
export const BN_CHUNKS = 8; // f32 per-task chunk sums (and the stats' shift)
export const BN_MHI = 9; // per-lane mean, split in two floats (hi + lo) so that x − mean keeps its bits
export const BN_MLO = 10;
export const BN_A = 11; // apply: scale γ·invStd; gradient sums: invStd; input gradient: coefficient of x − mean
export const BN_B = 12; // apply: shift β; input gradient: constant term
export const BN_K = 13; // input gradient: coefficient of dy (γ·invStd)
export const BN_FLUSH = 16; // groups summed in float32 before they are added to the float64 sums

// Optimizer update (JOB_OPTIM): task t updates floats [t·OPT_CHUNK, min(n, (t + 1)·OPT_CHUNK)) of
// the arena copies of p, g and the state buffers, once the host has published chunk t (the host
// copies chunk by chunk while the threads work; see wasm/optim.ts).
export const JOB_OPTIM = 20;
export const OPT_WORDS = 8;
export const OPT_RULE = 0; // 0 sgd, 1 sgd with momentum, 2 momentum, 3 rmsprop, 4 adam
export const OPT_N = 1; // floats in this window
export const OPT_CHUNK = 2; // floats per task
export const OPT_P = 3; // byte addresses: p, g, state 0, state 1 (0: none), f64 hyperparameters
export const OPT_G = 4;
export const OPT_S0 = 5;
export const OPT_S1 = 6;
export const OPT_H = 7;
