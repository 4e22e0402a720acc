// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Adapters may use only core's public entry points; reaching into its files couples releases. */
const coreInternals = {
  group: [
    '@tributary/core/*',
    '!@tributary/core/testing',
    '!@tributary/core/edge',
    '**/core/src/**',
    '**/core/dist/**',
  ],
  message:
    'Adapters and apps import only the public entry points of @tributary/core (`@tributary/core`, `@tributary/core/testing`).',
};
const frameworks = {
  group: ['express', 'express/*', 'next', 'next/*', '@nestjs/*', 'react', 'react-dom'],
  message: '@tributary/core is framework-neutral: it must not import a framework.',
};

/** @tributary/nestjs reads GraphQL, gateway and microservice contexts structurally (#22). */
const nestTransports = {
  group: [
    'graphql',
    '@nestjs/graphql',
    '@nestjs/apollo',
    '@nestjs/mercurius',
    '@nestjs/websockets',
    '@nestjs/microservices',
    'socket.io',
  ],
  message:
    '@tributary/nestjs must not load a transport package: an app without it installs and imports nothing of it. Read the execution context structurally.',
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.next/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/out/**',
      '**/next-env.d.ts',
      'apps/bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
  {
    files: ['packages/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [frameworks] }] },
  },
  {
    files: [
      'packages/{express,nestjs,next,collector}/**/*.{ts,tsx}',
      'apps/**/*.{ts,tsx}',
      'test/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [coreInternals] }] },
  },
  {
    files: ['packages/nestjs/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-d.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [coreInternals, nestTransports] }] },
  },
  {
    files: ['**/*.test.ts', '**/*.test-d.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
