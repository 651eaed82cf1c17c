// Tether's browser client (an ES module): `import { connect } from "/tether.js"`.
export { connect, Client } from "./client.js";
export { Room } from "./room.js";
export { TetherError } from "./errors.js";
export { encodeBatch, decodeBatch, K as kinds } from "./frames.js";
