import { createDefaultEsmPreset } from 'ts-jest';

/** Jest in ESM mode (see ../shared/CONVENTIONS.md); type-checking is done by `tsc --noEmit` in `npm test`. */
export default {
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.json' }),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
};
