import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadOrt } from '../../../shared/model/infer/ort';
import type { ValueSignature } from '../../../shared/model/infer';
import { HttpError } from '../../../shared/serve/http';
import { outputSlice, readInferRequest, tensorMetadata, v2Datatype } from '../../../shared/serve/v2';

const sig = (name: string, type: ort.Tensor.Type, shape: (number | string)[]): ValueSignature => ({ name, isTensor: true, type, shape, text: `${type}[${shape.join(',')}]` });
const INPUTS = [sig('x', 'float32', ['N', 2]), sig('color', 'string', ['N', 1]), sig('n', 'int64', [-1])];
const OUTPUTS = ['label', 'probabilities'];

const good = () => ({
  id: 'r1',
  inputs: [
    { name: 'x', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, null]] },
    { name: 'color', shape: [2, 1], datatype: 'BYTES', data: ['red', 'blue'] },
    { name: 'n', shape: [2], datatype: 'INT64', data: [7, '9007199254740993'] },
  ],
});

function error(body: unknown, inputs = INPUTS): string {
  try {
    readInferRequest(body, inputs, OUTPUTS);
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    return (e as HttpError).message;
  }
  throw new Error(`no error for ${JSON.stringify(body)}`);
}


// As in every caller, onnxruntime is loaded (by loadModel) before tensors are built.
beforeAll(() => loadOrt());
describe('Open Inference Protocol v2 requests', () => {
  test('a request becomes tensors: nested or flat data, null as NaN, int64 from strings', () => {
    const r = readInferRequest(good(), INPUTS, OUTPUTS);
    expect(r.id).toBe('r1');
    expect(r.rows).toBe(2);
    expect(r.batchable).toBe(true);
    expect(r.outputs).toEqual(OUTPUTS);
    expect(r.feeds.x!.type).toBe('float32');
    expect(r.feeds.x!.dims).toEqual([2, 2]);
    expect(Array.from(r.feeds.x!.data as Float32Array)).toEqual([1, 2, 3, NaN]);
    expect(r.feeds.color!.data).toEqual(['red', 'blue']);
    expect(Array.from(r.feeds.n!.data as BigInt64Array)).toEqual([7n, 9007199254740993n]);
    expect(r.sent.x).toEqual([1, 2, 3, null]);
    const only = readInferRequest({ ...good(), outputs: [{ name: 'probabilities' }] }, INPUTS, OUTPUTS);
    expect(only.outputs).toEqual(['probabilities']);
  });

  test('a fixed first dimension makes a request unbatchable', () => {
    const r = readInferRequest({ inputs: [{ name: 'X', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] }, [sig('X', 'float32', [2, 3])], ['y']);
    expect(r.batchable).toBe(false);
    expect(r.rows).toBe(2);
  });

  test('every malformed request is a 400 that names the input and the problem', () => {
    const with_ = (k: number, patch: Record<string, unknown>) => {
      const b = good();
      b.inputs[k] = { ...b.inputs[k]!, ...patch } as never;
      return b;
    };
    expect(error('x')).toMatch(/the body is a string/);
    expect(error({})).toMatch(/"inputs" must be a list of tensors .* got nothing/);
    expect(error({ columns: ['a'], data: [[1]] })).toMatch(/rows go to \/v2\/models\/\{name\}\/predict/);
    expect(error({ inputs: [1] })).toMatch(/"inputs"\[0\] is a number/);
    expect(error({ inputs: [{ shape: [1] }] })).toMatch(/"inputs"\[0\]\.name must be a string/);
    expect(error({ inputs: [{ name: 'nope' }] })).toMatch(/no input 'nope'; its inputs are 'x', 'color', 'n'/);
    expect(error({ inputs: [good().inputs[0], good().inputs[0]] })).toMatch(/input 'x' is given twice/);
    expect(error({ inputs: good().inputs.slice(0, 2) })).toMatch(/missing model input 'n' \(INT64 \[-1\]\)/);
    expect(error(with_(0, { datatype: 'FP64' }))).toMatch(/input 'x': datatype FP64 does not match the model's FP32/);
    expect(error(with_(0, { datatype: 3 }))).toMatch(/"datatype" must be a string \(FP32\)/);
    expect(error(with_(0, { shape: [2, -1] }))).toMatch(/"shape" must be a list of non-negative integers/);
    expect(error(with_(0, { shape: [4] }))).toMatch(/shape \[4\] has rank 1, but the model's is \[-1,2\]/);
    expect(error(with_(0, { shape: [1, 4] }))).toMatch(/has 4 at dimension 1, where the model's \[-1,2\] fixes 2/);
    expect(error(with_(0, { data: [1, 2, 3] }))).toMatch(/shape \[2,2\] needs 4 elements, but "data" has 3/);
    expect(error(with_(0, { data: [[1, 2], [3]] }))).toMatch(/data\[1\] has 1 elements, but shape \[2,2\] says 2 at dimension 1/);
    expect(error(with_(0, { data: [[1, [2]], [3, 4]] }))).toMatch(/nested deeper than shape/);
    expect(error(with_(0, { data: [1, 2, 3, 'four'] }))).toMatch(/input 'x': data element 3 is "four", but datatype FP32 takes numbers/);
    expect(error(with_(0, { data: 'abc' }))).toMatch(/"data" must be a list of elements, got a string/);
    expect(error(with_(1, { data: ['red', 5] }))).toMatch(/input 'color': data element 1 is a number, but datatype BYTES takes strings/);
    expect(error(with_(2, { data: [1.5, 2] }))).toMatch(/input 'n': data element 0 is a number, but datatype INT64 takes integers/);
    expect(error(with_(2, { shape: [3], data: [1, 2, 3] }))).toMatch(/inputs disagree on the batch size: 'x' has 2 rows, 'n' has 3/);
    expect(error({ ...good(), outputs: [{ name: 'nope' }] })).toMatch(/no output 'nope'; its outputs are 'label', 'probabilities'/);
    expect(error({ ...good(), outputs: 'label' })).toMatch(/"outputs" must be a list/);
    expect(error({ ...good(), id: 5 })).toMatch(/"id" must be a string/);
    expect(error({ ...good(), parameters: { binary_data_output: true } })).toMatch(/binary tensor extension is not supported/);
    expect(error(with_(0, { parameters: { binary_data_size: 16 } }))).toMatch(/binary tensor extension is not supported/);
    const zero = good();
    for (const i of zero.inputs) {
      i.shape = [0, ...i.shape.slice(1)];
      i.data = [];
    }
    expect(error(zero)).toMatch(/0 rows/);
  });

  test('other element types: ranges, booleans, float16', () => {
    const one = (type: ort.Tensor.Type, datatype: string, data: unknown[]) =>
      readInferRequest({ inputs: [{ name: 'v', shape: [data.length], datatype, data }] }, [sig('v', type, ['N'])], ['y']).feeds.v!;
    expect(Array.from(one('bool', 'BOOL', [true, 0, 1]).data as Uint8Array)).toEqual([1, 0, 1]);
    expect(Array.from(one('uint8', 'UINT8', [0, 255]).data as Uint8Array)).toEqual([0, 255]);
    // Half floats as their bits; onnxruntime shows them as a Float16Array where the runtime has one.
    const half = one('float16', 'FP16', [1, -2, 0.5]).data as Uint16Array;
    expect(Array.from(half)).toEqual(half.constructor.name === 'Uint16Array' ? [0x3c00, 0xc000, 0x3800] : [1, -2, 0.5]);
    expect(error({ inputs: [{ name: 'v', shape: [1], datatype: 'UINT8', data: [256] }] }, [sig('v', 'uint8', ['N'])])).toMatch(/integers in \[0, 255\]/);
    expect(error({ inputs: [{ name: 'v', shape: [1], datatype: 'BOOL', data: ['yes'] }] }, [sig('v', 'bool', ['N'])])).toMatch(/takes true or false/);
  });
});

describe('v2 responses', () => {
  test('datatypes and metadata shapes (-1 for dynamic dimensions)', () => {
    expect(['float32', 'float64', 'int64', 'string', 'bool', 'float16'].map((t) => v2Datatype(t as ort.Tensor.Type))).toEqual(['FP32', 'FP64', 'INT64', 'BYTES', 'BOOL', 'FP16']);
    expect(tensorMetadata('x', 'float32', ['N', 3, -1])).toEqual({ name: 'x', datatype: 'FP32', shape: [-1, 3, -1] });
  });

  test('an output of a batch is cut to the request rows', () => {
    const t = new ort.Tensor('float32', Float32Array.from([0, 1, 2, 3, 4, 5, NaN, 7]), [4, 2]);
    expect(outputSlice('p', t, 1, 2, false)).toEqual({ name: 'p', datatype: 'FP32', shape: [2, 2], data: [2, 3, 4, 5] });
    const labels = new ort.Tensor('string', ['a', 'b', 'c'], [3]);
    expect(outputSlice('label', labels, 2, 1, false)).toEqual({ name: 'label', datatype: 'BYTES', shape: [1], data: ['c'] });
    const ints = new ort.Tensor('int64', BigInt64Array.from([5n, 6n]), [2, 1]);
    expect(outputSlice('n', ints, 0, 2, true)).toEqual({ name: 'n', datatype: 'INT64', shape: [2, 1], data: [5, 6] });
    expect(JSON.stringify(outputSlice('p', t, 3, 1, false).data)).toBe('[null,7]');
  });
});
