import { plainToInstance } from 'class-transformer';
import { IsString, validateSync } from 'class-validator';
import { IsOmittable } from './omittable';

class Body {
  @IsOmittable() @IsString() name?: unknown;
}

const failing = (value: object) => validateSync(plainToInstance(Body, value)).map((e) => e.property);

describe('@IsOmittable', () => {
  it('lets a field be left out, and validates it when sent, null included', () => {
    expect(failing({})).toEqual([]);
    expect(failing({ name: undefined })).toEqual([]);
    expect(failing({ name: 'Ann' })).toEqual([]);
    expect(failing({ name: null })).toEqual(['name']);
    expect(failing({ name: 42 })).toEqual(['name']);
  });
});
