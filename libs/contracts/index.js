// Runtime entry of @switchboard/contracts for the built server: the TypeScript sources are
// compiled with the server (npm run build:server); type-checkers and bundlers read src/ directly.
module.exports = require('../../dist/server/libs/contracts/src/index.js');
