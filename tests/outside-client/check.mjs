// The outside check: ImpVpn's LND simulator, driven by a client written for real LND by others.
//
// `lightning` (alexbosworth, npm) ships its own unmodified copy of LND's protos and checks every answer strictly
// (it throws ExpectedColor..., ExpectedPeerAddress... on a field LND would have filled). If it accepts the
// simulator's answers to the calls ImpVpn makes, a client built for LND will too. Beyond acceptance each check
// looks at the values: alias, amounts, invoice states, a message arriving, a signature verifying.
//
//   node check.mjs --sim DIR/sim.json        (the file the simulator writes on start)
//   node check.mjs --control http://127.0.0.1:PORT/
//   [--result FILE] writes {"passed":N,"failed":N,"checks":[...]} for build.ps1
//
// The simulator must run at least three nodes; the first two get a channel (opened here through the control
// endpoint when they have none), the third stays without one. Prints "ok N - name" or "not ok N - name: why"
// per check and ends with "N passed, N failed"; exits 1 when any check failed.

import {createHash, randomBytes} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const lightning = require('lightning');

const args = process.argv.slice(2);
const option = name => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

// How long one check may wait for the simulator before it counts as failed: a hang guard, not a measurement.
const checkTimeoutMs = 30_000;
const channelCapacity = 1_000_000;
const channelPush = 100_000;
// Custom message types from 32768 need no protocol.custom-message option on LND.
const messageType = 32_877;

const sha256 = bytes => createHash('sha256').update(bytes).digest();

async function simulatorFacts() {
  const simFile = option('--sim');
  if (simFile) {
    return JSON.parse(readFileSync(simFile, 'utf8'));
  }

  const control = option('--control');
  if (!control) {
    throw new Error('give --sim DIR/sim.json or --control URL');
  }

  const nodes = await (await fetch(new URL('nodes', control))).json();
  return {control, nodes};
}

async function controlPost(control, path, body) {
  const response = await fetch(new URL(path, control), {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`control ${path}: HTTP ${response.status} ${await response.text()}`);
  }
}

// authenticatedLndGrpc as its README shows: base64 of the tls.cert file and of the macaroon file.
function connect(node) {
  const {lnd} = lightning.authenticatedLndGrpc({
    cert: readFileSync(node.tlsCertPath).toString('base64'),
    macaroon: readFileSync(node.macaroonPath).toString('base64'),
    socket: node.rpcAddress,
  });
  return {...node, lnd};
}

const grpcCodes = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

// The library fails with arrays like [503, 'UnexpectedErrorX', {err}]: keep the code, name and LND's message.
function describe(error) {
  if (Array.isArray(error)) {
    const err = error[2]?.err;
    const status = typeof err?.code === 'number' ? `gRPC ${grpcCodes[err.code] ?? err.code}` : '';
    const details = [status, err?.details || err?.message || (!err && error[2] ? JSON.stringify(error[2]) : '')].filter(Boolean).join(': ');
    return `${error[0]} ${error[1]}${details ? ` (${details})` : ''}`;
  }

  return error?.stack ?? String(error);
}

function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function expectEqual(actual, wanted, what) {
  expect(actual === wanted, `${what}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
}

// Events of a subscription, kept as they come. The library cancels a stream once its last listener goes, so
// the listeners stay attached for the whole check instead of once() per event.
class Events {
  constructor(emitter, names) {
    this.emitter = emitter;
    this.seen = [];
    this.waiters = [];
    for (const name of names) {
      emitter.on(name, event => this.arrive(name, event));
    }

    emitter.on('error', error => this.arrive('error', error));
  }

  arrive(name, event) {
    this.seen.push({name, event});
    for (const waiter of [...this.waiters]) {
      waiter();
    }
  }

  // The first event of this name that matches, seen already or still to come; an error event fails it.
  next(name, matches = () => true) {
    return new Promise((resolve, reject) => {
      const look = () => {
        const error = this.seen.find(e => e.name === 'error');
        if (error) {
          this.waiters = this.waiters.filter(w => w !== look);
          reject(new Error(`${name} wanted, error came: ${describe(error.event)}`));
          return;
        }

        const hit = this.seen.find(e => e.name === name && matches(e.event));
        if (hit) {
          this.waiters = this.waiters.filter(w => w !== look);
          resolve(hit.event);
        }
      };
      this.waiters.push(look);
      look();
    });
  }

  close() {
    this.emitter.removeAllListeners();
  }
}

const results = [];

async function check(name, body) {
  let timer;
  try {
    await Promise.race([
      body(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs / 1000} s`)), checkTimeoutMs);
      }),
    ]);
    results.push({name, ok: true});
    console.log(`ok ${results.length} - ${name}`);
  } catch (error) {
    const why = process.env.OUTSIDE_CHECK_DEBUG ? describe(error) : describe(error).split('\n')[0];
    results.push({name, ok: false, why});
    console.log(`not ok ${results.length} - ${name}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  const facts = await simulatorFacts();
  expect(facts.nodes.length >= 3, 'the simulator must run at least three nodes');
  const [payer, payee, stranger] = facts.nodes.slice(0, 3).map(connect);

  // The payer and payee need a channel; open one when the simulator was started without it.
  const existing = await lightning.getChannels({lnd: payer.lnd}).catch(() => ({channels: []}));
  if (!existing.channels.some(c => c.partner_public_key === payee.pubKey)) {
    await controlPost(facts.control, 'channels', {from: payer.name, to: payee.name, capacitySat: channelCapacity, pushSat: channelPush});
  }

  await check('getWalletInfo (GetInfo): alias, key, colour, synced, features', async () => {
    const info = await lightning.getWalletInfo({lnd: payer.lnd});
    expectEqual(info.alias, payer.name, 'alias');
    expectEqual(info.public_key, payer.pubKey, 'public_key');
    expect(/^#[0-9a-f]{6}$/.test(info.color), `color ${info.color}`);
    expectEqual(info.is_synced_to_chain, true, 'is_synced_to_chain');
    expect(info.features.some(f => f.type === 'payment_identifier' || f.bit === 14), 'feature bit 14 (payment-addr) advertised');
    expect(info.uris.some(uri => uri.startsWith(payer.pubKey + '@')), 'a uri with the node key');
    expect(info.active_channels_count >= 1, `active_channels_count ${info.active_channels_count}`);
  });

  await check('addPeer (ConnectPeer) to a node outside the graph, by its address', async () => {
    await lightning.addPeer({lnd: payer.lnd, public_key: stranger.pubKey, socket: stranger.p2pAddress});
  });

  await check('getPeers (ListPeers): both peers, inbound on the far side, features', async () => {
    const {peers} = await lightning.getPeers({lnd: payer.lnd});
    const channelPeer = peers.find(p => p.public_key === payee.pubKey);
    const dialled = peers.find(p => p.public_key === stranger.pubKey);
    expect(channelPeer, 'the channel peer is listed');
    expect(dialled, 'the dialled peer is listed');
    expectEqual(dialled.is_inbound, false, 'dialled peer is_inbound');
    expectEqual(dialled.socket, stranger.p2pAddress, 'dialled peer socket');
    expect(dialled.features.length > 0, 'peer features');
    const farSide = (await lightning.getPeers({lnd: stranger.lnd})).peers.find(p => p.public_key === payer.pubKey);
    expect(farSide, 'the dialler is listed by the dialled node');
    expectEqual(farSide.is_inbound, true, 'far side is_inbound');
  });

  await check('getNode (GetNodeInfo): alias, colour, address, channels, capacity', async () => {
    const node = await lightning.getNode({lnd: payer.lnd, public_key: payee.pubKey});
    expectEqual(node.alias, payee.name, 'alias');
    expect(/^#[0-9a-f]{6}$/.test(node.color), `color ${node.color}`);
    expect(node.sockets.some(s => s.socket === payee.p2pAddress && s.type === 'tcp'), 'tcp socket at the p2p address');
    expectEqual(node.channel_count, 1, 'channel_count');
    expectEqual(node.capacity, channelCapacity, 'capacity');
    expect(node.features.length > 0, 'node features');
    expectEqual(node.channels.length, 1, 'channels listed');
  });

  await check('getChannels (ListChannels): capacity, balances, active, partner', async () => {
    const {channels} = await lightning.getChannels({lnd: payer.lnd});
    const channel = channels.find(c => c.partner_public_key === payee.pubKey);
    expect(channel, 'the channel with the payee');
    expectEqual(channel.capacity, channelCapacity, 'capacity');
    expect(channel.is_active, 'is_active');
    expectEqual(channel.is_opening, false, 'is_opening');
    expect(channel.local_balance <= channelCapacity - channelPush, `local_balance ${channel.local_balance}`);
    expect(channel.remote_balance >= channelPush, `remote_balance ${channel.remote_balance}`);
    expect(channel.local_reserve > 0 && channel.remote_reserve > 0, 'reserves');
  });

  await check('getChannelBalance (ChannelBalance): sat and msat agree with the channels', async () => {
    const balance = await lightning.getChannelBalance({lnd: payer.lnd});
    const {channels} = await lightning.getChannels({lnd: payer.lnd});
    const local = channels.reduce((sum, c) => sum + c.local_balance, 0);
    expectEqual(balance.channel_balance, local, 'channel_balance');
    expectEqual(balance.channel_balance_mtokens, String(BigInt(local) * 1000n), 'channel_balance_mtokens');
  });

  await check('sendMessageToPeer / subscribeToPeerMessages (custom messages): the message arrives', async () => {
    const inbox = new Events(lightning.subscribeToPeerMessages({lnd: payee.lnd}), ['message_received']);
    try {
      const message = randomBytes(32).toString('hex');
      const arrival = inbox.next('message_received', m => m.message === message);
      // LND delivers a custom message only to subscriptions it already holds, and the library does not say when
      // its stream has reached the node (no headers before the first message). So the message is sent again
      // until a copy arrives, bounded by the check's time limit: the same retry a real client of LND needs.
      let arrived = false;
      arrival.then(() => { arrived = true; }, () => {});
      while (!arrived) {
        await lightning.sendMessageToPeer({lnd: payer.lnd, public_key: payee.pubKey, message, type: messageType});
        await Promise.race([arrival, new Promise(resolve => setTimeout(resolve, 200))]);
      }

      const received = await arrival;
      expectEqual(received.public_key, payer.pubKey, 'sender');
      expectEqual(received.type, messageType, 'type');
    } finally {
      inbox.close();
    }
  });

  let plainRequest;
  await check('createInvoice (AddInvoice) / decodePaymentRequest (DecodePayReq): amount, payee, features, payment address', async () => {
    const invoice = await lightning.createInvoice({lnd: payee.lnd, tokens: 1000, description: 'outside check'});
    plainRequest = invoice;
    const decoded = await lightning.decodePaymentRequest({lnd: payer.lnd, request: invoice.request});
    expectEqual(decoded.destination, payee.pubKey, 'destination');
    expectEqual(decoded.tokens, 1000, 'tokens');
    expectEqual(decoded.mtokens, '1000000', 'mtokens');
    expectEqual(decoded.id, invoice.id, 'payment hash');
    expectEqual(decoded.description, 'outside check', 'description');
    expect(decoded.payment && /^[0-9a-f]{64}$/.test(decoded.payment), 'payment address');
    expect(decoded.features.some(f => f.bit === 14 && f.is_required), 'payment-addr required');
  });

  await check('pay (SendPaymentV2) an invoice: confirmed with the preimage, the invoice settled', async () => {
    const paid = await lightning.pay({lnd: payer.lnd, request: plainRequest.request});
    expectEqual(paid.is_confirmed, true, 'is_confirmed');
    expectEqual(paid.tokens, 1000, 'tokens');
    expectEqual(sha256(Buffer.from(paid.secret, 'hex')).toString('hex'), plainRequest.id, 'preimage hashes to the id');
    const invoice = await lightning.getInvoice({lnd: payee.lnd, id: plainRequest.id});
    expectEqual(invoice.is_confirmed, true, 'invoice is_confirmed');
    expectEqual(invoice.received, 1000, 'invoice received');
  });

  await check('getPayment / subscribeToPastPayment (TrackPaymentV2): the payment is confirmed', async () => {
    const payment = await lightning.getPayment({lnd: payer.lnd, id: plainRequest.id});
    expectEqual(payment.is_confirmed, true, 'is_confirmed');
    expectEqual(payment.payment.tokens, 1000, 'tokens');
    const past = new Events(lightning.subscribeToPastPayment({lnd: payer.lnd, id: plainRequest.id}), ['confirmed', 'failed']);
    try {
      const confirmed = await past.next('confirmed');
      expectEqual(confirmed.id, plainRequest.id, 'confirmed id');
    } finally {
      past.close();
    }
  });

  await check('createHodlInvoice / subscribeToInvoice / subscribeToPayViaRequest / settleHodlInvoice: ACCEPTED then SETTLED', async () => {
    const secret = randomBytes(32);
    const id = sha256(secret).toString('hex');
    const invoice = await lightning.createHodlInvoice({lnd: payee.lnd, id, tokens: 2000, description: 'held'});
    const updates = new Events(lightning.subscribeToInvoice({lnd: payee.lnd, id}), ['invoice_updated']);
    const payment = new Events(lightning.subscribeToPayViaRequest({lnd: payer.lnd, request: invoice.request}), ['confirmed', 'failed', 'paying']);
    try {
      const payerConfirmed = payment.next('confirmed');
      await updates.next('invoice_updated', i => i.is_held);
      const held = await lightning.getInvoice({lnd: payee.lnd, id});
      expectEqual(held.is_held, true, 'getInvoice is_held (ACCEPTED)');
      expectEqual(held.is_confirmed, false, 'not settled yet');
      const settled = updates.next('invoice_updated', i => i.is_confirmed);
      await lightning.settleHodlInvoice({lnd: payee.lnd, secret: secret.toString('hex')});
      await settled;
      const confirmed = await payerConfirmed;
      expectEqual(confirmed.secret, secret.toString('hex'), 'payer learns the preimage');
      expectEqual(confirmed.tokens, 2000, 'tokens');
    } finally {
      updates.close();
      payment.close();
    }
  });

  await check('cancelHodlInvoice on a held payment: the payer sees it FAILED, the invoice cancelled', async () => {
    const id = sha256(randomBytes(32)).toString('hex');
    const invoice = await lightning.createHodlInvoice({lnd: payee.lnd, id, tokens: 3000, description: 'cancelled'});
    const updates = new Events(lightning.subscribeToInvoice({lnd: payee.lnd, id}), ['invoice_updated']);
    const payment = new Events(lightning.subscribeToPayViaRequest({lnd: payer.lnd, request: invoice.request}), ['confirmed', 'failed', 'paying']);
    try {
      const payerFailed = payment.next('failed');
      await updates.next('invoice_updated', i => i.is_held);
      await lightning.cancelHodlInvoice({lnd: payee.lnd, id});
      const failed = await payerFailed;
      expectEqual(failed.is_invalid_payment, true, 'is_invalid_payment (INCORRECT_PAYMENT_DETAILS)');
      const cancelled = await lightning.getInvoice({lnd: payee.lnd, id});
      expectEqual(cancelled.is_canceled, true, 'invoice is_canceled');
    } finally {
      updates.close();
      payment.close();
    }
  });

  await check('signMessage / verifyMessage: the signature verifies to the signer', async () => {
    const message = 'outside check ' + randomBytes(8).toString('hex');
    const {signature} = await lightning.signMessage({lnd: payer.lnd, message});
    const {signed_by} = await lightning.verifyMessage({lnd: payee.lnd, message, signature});
    expectEqual(signed_by, payer.pubKey, 'signed_by');
  });

  await check('getRouteToDestination (QueryRoutes): a one-hop route to the payee', async () => {
    const {route} = await lightning.getRouteToDestination({lnd: payer.lnd, destination: payee.pubKey, tokens: 1000});
    expect(route, 'a route');
    expectEqual(route.hops.length, 1, 'hops');
    expectEqual(route.hops[0].public_key, payee.pubKey, 'hop key');
    expectEqual(route.tokens, 1000, 'tokens');
  });

  await check('pay (SendPaymentV2) in three parts: confirmed, one succeeded path per part', async () => {
    // ImpVpn's sellers are paid over multi-path routes by real nodes: the simulator is told to split this one.
    await controlPost(facts.control, `nodes/${payer.name}/payment-faults`, {splitNextPayment: 3});
    const invoice = await lightning.createInvoice({lnd: payee.lnd, tokens: 30000});
    const paid = await lightning.pay({lnd: payer.lnd, request: invoice.request, max_paths: 3});
    expectEqual(paid.is_confirmed, true, 'is_confirmed');
    expectEqual(paid.tokens, 30000, 'tokens');
    expectEqual(paid.paths.length, 3, 'paths');
    expectEqual(paid.paths.reduce((sum, path) => sum + path.tokens, 0), 30000, 'tokens over the paths');
    const received = await lightning.getInvoice({lnd: payee.lnd, id: invoice.id});
    expectEqual(received.payments.length, 3, 'HTLCs the payee received');
  });

  await check('getRoutingFeeEstimate (Router.EstimateRouteFee): fee and time lock for an invoice', async () => {
    const invoice = await lightning.createInvoice({lnd: payee.lnd, tokens: 500});
    const estimate = await lightning.getRoutingFeeEstimate({lnd: payer.lnd, request: invoice.request});
    // A direct channel charges no routing fee.
    expectEqual(estimate.fee_mtokens, '0', 'fee_mtokens');
    expect(estimate.timeout > 0, `timeout ${estimate.timeout}`);
  });
}

try {
  await main();
} catch (error) {
  results.push({name: 'set-up', ok: false, why: describe(error)});
  console.log(`not ok ${results.length} - set-up: ${describe(error)}`);
}

const passed = results.filter(r => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
const resultFile = option('--result');
if (resultFile) {
  writeFileSync(resultFile, JSON.stringify({passed, failed, checks: results}, null, 2));
}

process.exit(failed === 0 ? 0 : 1);
