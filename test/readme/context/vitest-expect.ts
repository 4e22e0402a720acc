// The collector README's excerpt runs inside a vitest test: `expect` is vitest's.
import { expect } from 'vitest';
