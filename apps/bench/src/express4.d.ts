// Express 4, installed beside Express 5 under an npm alias (`express4@npm:express@4`), has the
// same API for what the bench app uses.
declare module 'express4' {
  import express from 'express';
  export default express;
}
