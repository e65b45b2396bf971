import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/config-schema.js';
import { MESSAGES_KEYWORD } from '../../../src/config/schema-problems.js';
import { registrySchema } from '../../../src/registry/registry-schema.js';

// The parsers skip the meta-schema check to start fast, so it is done here.
describe('the JSON Schemas', () => {
  it.each([
    ['registry', registrySchema],
    ['config', configSchema],
  ])('the %s schema is a valid, strict JSON Schema', (_name, schema) => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addVocabulary([MESSAGES_KEYWORD]);
    expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });
});
