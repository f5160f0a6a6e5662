import { Tensor, allocate } from "../tensor/tensor.js";
import { record } from "../autograd/tape.js";
import { ValueError } from "../util/errors.js";
import { numberArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { mul, div } from "./binary.js";

/** `out[i] = f(x[i])`, made per op so each loop stays monomorphic. */
export function mapUnary(f: (v: number) => number): (x: Tensor) => Tensor {
  return (x) => {
    const out = allocate(x.dtype, x.size);
    const d = x.data;
    for (let i = 0; i < out.length; i++) out[i] = f(d[i]!);
    return new Tensor(out, x.shape);
  };
}

const kNeg = mapUnary((v) => -v);
const kExp = mapUnary(Math.exp);
const kLog = mapUnary(Math.log);
const kSqrt = mapUnary(Math.sqrt);
const kAbs = mapUnary(Math.abs);
const kSquare = mapUnary((v) => v * v);
const kSign = mapUnary((v) => (v > 0 ? 1 : v < 0 ? -1 : 0));

export function neg(x: Tensor): Tensor {
  tensorArg("neg", "x", x);
  return record("neg", kNeg(x), [x], (dy) => [kNeg(dy)]);
}

export function exp(x: Tensor): Tensor {
  tensorArg("exp", "x", x);
  const y = kExp(x);
  return record("exp", y, [x], (dy) => [mul(dy, y)]);
}

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  tensorArg("log", "x", x);
  return record("log", kLog(x), [x], (dy) => [div(dy, x)]);
}

export function sqrt(x: Tensor): Tensor {
  tensorArg("sqrt", "x", x);
  const y = kSqrt(x);
  return record("sqrt", y, [x], (dy) => [div(dy, mul(y, 2))]);
}

/** |x|; the gradient at 0 is 0. */
export function abs(x: Tensor): Tensor {
  tensorArg("abs", "x", x);
  return record("abs", kAbs(x), [x], (dy) => [mul(dy, kSign(x))]);
}

export function square(x: Tensor): Tensor {
  tensorArg("square", "x", x);
  return record("square", kSquare(x), [x], (dy) => [mul(dy, mul(x, 2))]);
}

/** -1, 0 or 1 (no gradient). */
export function sign(x: Tensor): Tensor {
  tensorArg("sign", "x", x);
  return kSign(x);
}

/** Values limited to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (like PyTorch's clamp). */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  tensorArg("clip", "x", x);
  numberArg("clip", "lo", lo, { finite: false });
  numberArg("clip", "hi", hi, { finite: false });
  if (!(lo <= hi)) throw new ValueError(`clip: lower bound ${lo} is above upper bound ${hi}`);
  const out = mapUnary((v) => (v < lo ? lo : v > hi ? hi : v))(x);
  return record("clip", out, [x], (dy) => {
    const g = allocate(x.dtype, x.size);
    for (let i = 0; i < g.length; i++) {
      const v = x.data[i]!;
      g[i] = v >= lo && v <= hi ? dy.data[i]! : 0;
    }
    return [new Tensor(g, x.shape)];
  });
}
