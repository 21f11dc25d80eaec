/**
 * Evaluates the expression trees of runtime/metadata/expressions/tree.py in the
 * browser with the Python evaluator's semantics (to_python.py), so a form shows
 * and hides fields as the server will judge them after submit.
 *
 * Values: null, booleans, strings (TEXT), BigInt (INTEGER), Dec (exact DECIMAL:
 * a BigInt of units and a scale), DATE as "YYYY-MM-DD" and DATETIME as
 * "YYYY-MM-DDTHH:MM:SS.ffffff" in UTC (fixed width, so they sort as text).
 * Nulls propagate, and/or are three-valued, x / 0 is null, decimals round half
 * away from zero, text compares by code point and LOWER/UPPER touch ASCII only.
 * Nothing is ever eval'd: the tree is walked.
 */

export class ExprError extends Error {}

/** An exact decimal: ``units / 10**scale``. */
export class Dec {
  constructor(units, scale) {
    this.units = units;
    this.scale = scale;
  }

  toString() {
    const digits = (this.units < 0n ? -this.units : this.units).toString().padStart(this.scale + 1, "0");
    const sign = this.units < 0n ? "-" : "";
    if (!this.scale) return sign + digits;
    const cut = digits.length - this.scale;
    return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }
}

// -- exact numbers -------------------------------------------------------------

const pow10 = (n) => 10n ** BigInt(n);
const absBig = (n) => (n < 0n ? -n : n);

/** num / den rounded half away from zero (den != 0). */
function divRound(num, den) {
  const q = (2n * absBig(num) + absBig(den)) / (2n * absBig(den));
  return (num < 0n) !== (den < 0n) ? -q : q;
}

const toDec = (x) => (x instanceof Dec ? x : new Dec(x, 0));

function rescale(x, scale) {
  const d = toDec(x);
  if (scale >= d.scale) return new Dec(d.units * pow10(scale - d.scale), scale);
  return new Dec(divRound(d.units, pow10(d.scale - scale)), scale);
}

/** Both numbers as units of their common scale, so they add and compare exactly. */
function align(a, b) {
  const x = toDec(a);
  const y = toDec(b);
  const s = Math.max(x.scale, y.scale);
  return [x.units * pow10(s - x.scale), y.units * pow10(s - y.scale), s];
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

function parseDec(text) {
  const m = NUMBER.exec(String(text).trim().replaceAll(",", ""));
  if (!m || !(m[2] || m[3])) throw new ExprError(`not a number: ${text}`);
  const frac = m[3] || "";
  const exp = Number(m[4] || 0) - frac.length;
  // A typed "1e999999999" must not stall the page; no stored number comes near this.
  if (Math.abs(exp) > 60) throw new ExprError(`number is out of range: ${text}`);
  const units = BigInt((m[2] || "0") + frac) * (m[1] === "-" ? -1n : 1n);
  if (exp >= 0) return new Dec(units * pow10(exp), 0);
  return new Dec(units, -exp);
}

function decimalDivide(a, b, scale) {
  const x = toDec(a);
  const y = toDec(b);
  if (y.units === 0n) return null;
  return new Dec(divRound(x.units * pow10(y.scale + scale), y.units * pow10(x.scale)), scale);
}

const ARITHMETIC = {
  "+": (a, b) => { const [x, y, s] = align(a, b); return new Dec(x + y, s); },
  "-": (a, b) => { const [x, y, s] = align(a, b); return new Dec(x - y, s); },
  "*": (a, b) => { const x = toDec(a); const y = toDec(b); return new Dec(x.units * y.units, x.scale + y.scale); },
};
const INTEGER_ARITHMETIC = { "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b };

// -- dates (proleptic Gregorian day numbers, as Python's date) -------------------

function daysFromCivil(y, m, d) {
  const yy = y - (m <= 2 ? 1 : 0);
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - Math.floor((153 * mp + 2) / 5) + 1];
}

const pad = (n, width) => String(n).padStart(width, "0");
const MIN_DAY = daysFromCivil(1, 1, 1);
const MAX_DAY = daysFromCivil(9999, 12, 31);

function dayText(days) {
  if (!(days >= MIN_DAY && days <= MAX_DAY)) throw new ExprError("date is out of range");
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function dayNumber(text) {
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(5, 7));
  const d = Number(text.slice(8, 10));
  return daysFromCivil(y, m, d);
}

const addDays = (day, n) => dayText(dayNumber(day) + Number(n));

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO text to the canonical UTC form; a naive time is UTC already, as on the server. */
function parseDatetime(text) {
  const m = DATETIME.exec(String(text).trim());
  if (!m) throw new ExprError(`not a date and time: ${text}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part || 0));
  const days = daysFromCivil(y, mo, d);
  if (dayText(days) !== m[0].slice(0, 10) || h > 23 || mi > 59 || s > 59) {
    throw new ExprError(`not a date and time: ${text}`);
  }
  const offset = m[8] && m[8] !== "Z" ? offsetMinutes(m[8]) : 0;
  const seconds = days * 86400 + h * 3600 + mi * 60 + s - offset * 60;
  const day = Math.floor(seconds / 86400);
  const rest = seconds - day * 86400;
  const clock = [Math.floor(rest / 3600), Math.floor(rest / 60) % 60, rest % 60].map((n) => pad(n, 2));
  return `${dayText(day)}T${clock.join(":")}.${(m[7] || "").padEnd(6, "0")}`;
}

function offsetMinutes(text) {
  const digits = text.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return text[0] === "-" ? -minutes : minutes;
}

function parseDate(value) {
  const text = String(value).trim();
  const day = text.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || (text.length > 10 && !/^[T ]/.test(text.slice(10)))) {
    throw new ExprError(`not a date: ${value}`);
  }
  if (dayText(dayNumber(day)) !== day) throw new ExprError(`not a date: ${value}`);
  return day;
}

// -- types and conversion ---------------------------------------------------------

/** "DECIMAL(2)" -> {kind: "DECIMAL", scale: 2}; the tree carries str(ExprType). */
function typeOf(node) {
  const m = /^([A-Z]+)(?:\((\d+)\))?/.exec(node.t);
  return { kind: m[1], scale: Number(m[2] || 0) };
}

const TRUE_WORDS = new Set(["1", "true", "yes", "y", "on", "是", "对"]);
const FALSE_WORDS = new Set(["0", "false", "no", "n", "off", "否", "不"]);

function readBoolean(value) {
  if (typeof value === "boolean") return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ExprError(`not yes or no: ${value}`);
}

function readInteger(value) {
  if (typeof value === "boolean") throw new ExprError("a boolean is not an integer");
  if (typeof value === "bigint") return value;
  const d = value instanceof Dec ? value : parseDec(value);
  if (d.units % pow10(d.scale) !== 0n) throw new ExprError(`not a whole number: ${value}`);
  return d.units / pow10(d.scale);
}

/** A field, variable or literal value in the canonical form of its type (coerce_value). */
function coerce(value, type) {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "DECIMAL":
      if (typeof value === "boolean") throw new ExprError("a boolean is not a number");
      return rescale(typeof value === "bigint" || value instanceof Dec ? value : parseDec(value), type.scale);
    case "INTEGER": return readInteger(value);
    case "DATE": return parseDate(value);
    case "DATETIME": return parseDatetime(value);
    case "BOOLEAN": return readBoolean(value);
    case "TEXT": return String(value);
    default: return value;
  }
}

// -- comparison -----------------------------------------------------------------------

/** Code point order, as Python and the C collation compare text (not UTF-16 units). */
function compareText(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i].codePointAt(0) - y[i].codePointAt(0);
  }
  return x.length - y.length;
}

function compare(a, b) {
  if (typeof a === "string") return compareText(a, b);
  if (typeof a === "boolean") return Number(a) - Number(b);
  const [x, y] = align(a, b);
  return x === y ? 0 : x < y ? -1 : 1;
}

const COMPARE = {
  "==": (c) => c === 0, "!=": (c) => c !== 0, "<": (c) => c < 0,
  "<=": (c) => c <= 0, ">": (c) => c > 0, ">=": (c) => c >= 0,
};

// -- functions --------------------------------------------------------------------------

function asText(value) {
  return value === null ? "" : value.toString();
}

const asciiCase = (text, pattern, shift) =>
  text.replace(pattern, (ch) => String.fromCharCode(ch.charCodeAt(0) + shift));

/** Strict functions: a null argument makes the result null before they run. */
const FUNCTIONS = {
  ROUND: (x, places = 0n) => (typeof x === "bigint" ? x : rescale(x, Number(places))),
  DAYS_BETWEEN: (start, end) => BigInt(dayNumber(end) - dayNumber(start)),
  LEN: (text) => BigInt(Array.from(text).length),
  CONTAINS: (text, part) => text.includes(part),
  LOWER: (text) => asciiCase(text, /[A-Z]/g, 32),
  UPPER: (text) => asciiCase(text, /[a-z]/g, -32),
  ABS: (x) => (typeof x === "bigint" ? absBig(x) : new Dec(absBig(x.units), x.scale)),
  YEAR: (day) => BigInt(Number(day.slice(0, 4))),
  MONTH: (day) => BigInt(Number(day.slice(5, 7))),
  ADD_DAYS: (day, n) => addDays(day, n),
};

/** Lazy or null-tolerant functions get thunks, so an unused branch is never evaluated. */
const SPECIAL = {
  IF: (args) => (args[0]() === true ? args[1]() : args[2]()),
  COALESCE: (args) => {
    for (const arg of args) {
      const value = arg();
      if (value !== null) return value;
    }
    return null;
  },
  CONCAT: (args) => args.map((arg) => asText(arg())).join(""),
};

// -- the walk ----------------------------------------------------------------------------

/**
 * The value of ``tree`` for the record ``values`` ({field: value}) and the session
 * ``vars`` ({"me": 7, "me.department": "Sales", "today": "2026-01-31", "now": ...}).
 * Raises ExprError when a value cannot be read as its type or a date leaves 1..9999.
 */
export function evaluate(tree, values, vars = {}) {
  return new Walker(values, vars).value(tree);
}

/** A condition's yes/no: null (unknown) counts as no, as in SQL WHERE and on the server. */
export const truthy = (value) => value === true;

class Walker {
  constructor(values, vars) {
    this.values = values;
    this.vars = vars;
  }

  value(node) {
    const type = typeOf(node);
    if ("lit" in node) return coerce(node.lit, type);
    const result = this.compute(node, type);
    return type.kind === "DECIMAL" && result !== null ? rescale(result, type.scale) : result;
  }

  compute(node, type) {
    if ("field" in node) return coerce(this.values[node.field], type);
    if ("var" in node) return coerce(this.vars[node.var], type);
    if ("fn" in node) return this.call(node);
    return this.operator(node, type);
  }

  call(node) {
    if (node.fn in SPECIAL) return SPECIAL[node.fn](node.args.map((arg) => () => this.value(arg)));
    const args = node.args.map((arg) => this.value(arg));
    return args.includes(null) ? null : FUNCTIONS[node.fn](...args);
  }

  operator(node, type) {
    const { op, args } = node;
    if (op === "and" || op === "or") return this.logic(op === "or", args);
    if (op === "in" || op === "notin") return this.member(args, op === "notin");
    const values = args.map((arg) => this.value(arg));
    if (op === "isnull" || op === "notnull") return (values[0] === null) === (op === "isnull");
    if (values.includes(null)) return null;
    if (op === "not") return !values[0];
    if (op === "neg") return typeof values[0] === "bigint" ? -values[0] : new Dec(-values[0].units, values[0].scale);
    if (op in COMPARE) return COMPARE[op](compare(values[0], values[1]));
    return arithmetic(op, type, values[0], values[1]);
  }

  /** Three-valued and/or: the deciding value wins, else null if any operand was null. */
  logic(stop, args) {
    let unknown = false;
    for (const arg of args) {
      const value = this.value(arg);
      if (value === stop) return stop;
      unknown = unknown || value === null;
    }
    return unknown ? null : !stop;
  }

  /** SQL IN: true on a match, else null if any item is null, else false; items only for a value. */
  member(args, negated) {
    const value = this.value(args[0]);
    if (value === null) return null;
    const items = args.slice(1).map((arg) => this.value(arg));
    if (items.some((item) => item !== null && compare(value, item) === 0)) return !negated;
    return items.includes(null) ? null : negated;
  }
}

function arithmetic(op, type, a, b) {
  if (type.kind === "DATE") {
    const [day, n] = typeof a === "string" ? [a, b] : [b, a];
    return addDays(day, op === "-" ? -n : n);
  }
  if (type.kind === "INTEGER") return INTEGER_ARITHMETIC[op](a, b);
  if (op === "/") return decimalDivide(a, b, type.scale);
  return ARITHMETIC[op](a, b);
}
