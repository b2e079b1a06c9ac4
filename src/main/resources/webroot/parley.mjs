// parley.js as an ES module: `import Parley, { connect } from '/parley.mjs'`. API: the README of the parley repository,
// "Browser client", and the header of parley.js (protocol 1.1: `reset`, `conversation`, `position`, `userStream`).
import './parley.js';

const Parley = globalThis.Parley;
// the vendored sockjs-client beside this file (a classic script finds it through document.currentScript)
Parley.defaults.sockjsUrl = Parley.defaults.sockjsUrl
  || new URL('vendor/sockjs-client-1.6.1/sockjs.min.js', import.meta.url).href;

export const { connect, Client, ParleyError } = Parley;
export default Parley;
