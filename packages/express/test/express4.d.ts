// Express 4 is installed under the alias `express4`; its API is typed well enough by Express 5's types for these tests.
declare module 'express4' {
  import express from 'express';
  export default express;
}
