// Builds the ONNX graph while tracking, for every TFLite tensor, the ONNX value standing for it and
// that value's physical layout (see layout.ts). Constants stay as JS arrays until a consumer asks for
// them in a given layout; each (tensor, layout) pair becomes one initializer.
import { Tflite2OnnxError } from './errors.ts';
import {
  identity,
  invertPerm,
  isIdentity,
  isReshapeOnly,
  permuteShape,
  product,
  samePerm,
  transposeData,
} from './layout.ts';
import type { OnnxAttributeValue, OnnxInitializer, OnnxNode } from './onnx-proto.ts';

/** A value in the graph: the logical (TFLite) shape, and either constant data or an ONNX name + perm. */
export interface Value {
  /** Logical shape, as in the TFLite model. */
  shape: number[];
  /** Physical perm of the ONNX value (ignored for constants). */
  perm: number[];
  /** ONNX value name (runtime values). */
  name?: string;
  /** Constant data in logical (TFLite) order. */
  data?: Float32Array | Int32Array;
  /**
   * A bilinear resize of `input` not emitted yet: its only reader, a 1×1 stride-1 convolution, runs
   * first at the smaller size and then calls `resize(name, channels, hint)`. Such a value has no `name`.
   */
  resizeAfter?: { input: Value; resize: (name: string, channels: number, hint: string) => string };
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<Value, Map<string, string>>();
  private readonly permCache = new Map<string, string>();
  private nodeCount = 0;

  /** A fresh, unique ONNX value name based on `hint`. */
  fresh(hint: string): string {
    const base = hint.length > 0 ? hint : 'v';
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}__${k}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  /** Adds a node; returns its output names (fresh names from `outHints`). */
  node(
    opType: string,
    inputs: string[],
    outHints: string[],
    attributes: Record<string, OnnxAttributeValue> = {},
  ): string[] {
    const outputs = outHints.map((h) => this.fresh(h));
    this.nodes.push({ opType, inputs, outputs, name: `${opType}_${this.nodeCount++}`, attributes });
    return outputs;
  }

  node1(
    opType: string,
    inputs: string[],
    outHint: string,
    attributes: Record<string, OnnxAttributeValue> = {},
  ): string {
    return this.node(opType, inputs, [outHint], attributes)[0] as string;
  }

  /** Adds a node whose single output has exactly the (reserved) name `output`. */
  nodeTo(opType: string, inputs: string[], output: string): void {
    this.used.add(output);
    this.nodes.push({
      opType,
      inputs,
      outputs: [output],
      name: `${opType}_${this.nodeCount++}`,
      attributes: {},
    });
  }

  /** Adds an initializer with a fresh name. */
  initializer(hint: string, dims: number[], data: Float32Array | BigInt64Array | Int32Array): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, data });
    return name;
  }

  int64s(hint: string, values: readonly number[]): string {
    return this.initializer(hint, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  floatScalar(hint: string, value: number): string {
    return this.initializer(hint, [], Float32Array.of(value));
  }

  /**
   * The ONNX name of `value` in physical layout `perm`, adding a Reshape (when only unit axes move)
   * or a Transpose as needed, or an initializer for constants.
   */
  need(value: Value, perm: readonly number[], hint = 'v'): string {
    if (value.data !== undefined) return this.constant(value, perm, hint);
    if (value.resizeAfter !== undefined) {
      throw new Tflite2OnnxError(
        'ERR_INVALID_MODEL',
        `converter bug: deferred resize ${hint} read by an operator other than its 1×1 convolution; please report it`,
      );
    }
    const name = value.name as string;
    if (samePerm(value.perm, perm)) return name;
    const key = `${name}|${perm.join(',')}`;
    const cached = this.permCache.get(key);
    if (cached !== undefined) return cached;
    let out: string;
    if (isReshapeOnly(value.shape, value.perm, perm)) {
      out = this.node1(
        'Reshape',
        [name, this.int64s(`${hint}_shape`, permuteShape(value.shape, perm))],
        `${hint}_r`,
      );
    } else {
      // physical_target axis i = logical perm[i] = physical_source axis inv(value.perm)[perm[i]]
      const inv = invertPerm(value.perm);
      const rel = perm.map((p) => inv[p] as number);
      out = this.node1('Transpose', [name], `${hint}_t`, { perm: rel });
    }
    this.permCache.set(key, out);
    return out;
  }

  /** The constant `value` as an initializer in layout `perm` (cached). */
  constant(value: Value, perm: readonly number[], hint: string, dims?: number[]): string {
    const data = value.data as Float32Array | Int32Array;
    const key = `${perm.join(',')}|${dims?.join(',') ?? ''}`;
    let byPerm = this.constCache.get(value);
    if (byPerm === undefined) {
      byPerm = new Map();
      this.constCache.set(value, byPerm);
    }
    const cached = byPerm.get(key);
    if (cached !== undefined) return cached;
    const physical = isIdentity(perm) ? data : transposeData(data, value.shape, perm);
    const name = this.initializer(hint, dims ?? permuteShape(value.shape, perm), physical);
    byPerm.set(key, name);
    return name;
  }

  /** Renames a value produced by a node (used to give graph outputs their TFLite names). */
  renameOutput(from: string, to: string): boolean {
    const producer = this.nodes.find((n) => n.outputs.includes(from));
    if (producer === undefined) return false;
    producer.outputs = producer.outputs.map((o) => (o === from ? to : o));
    for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
    for (const [k, v] of this.permCache) if (v === from) this.permCache.set(k, to);
    this.used.add(to);
    return true;
  }
}

/** A runtime value. */
export function runtime(name: string, shape: number[], perm: number[] = identity(shape.length)): Value {
  return { name, shape, perm };
}

/** Elements of a value. */
export function size(v: Value): number {
  return product(v.shape);
}
