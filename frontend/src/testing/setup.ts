// Runs before every UI test file: each test starts with an empty page, browser storage and fakes.
// (A file can ask for `@vitest-environment node`, as the build's own test does: no DOM there.)
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllGlobals();
  if (typeof window === 'undefined') return;
  cleanup();
  window.localStorage.clear();
});
