// An independent Matrix client (matrix-js-sdk with its Rust crypto) for the integration
// tests: it plays a user of a modern client in front of the bot.
//
//   node client.mjs --homeserver URL --user @name:server --password SECRET
//                   [--isolation only-signed|all] [--cross-sign] [--secret-storage]
//                   [--room !id:server | --invite @bot:server] [--accept-invites]
//
// It logs in as a new device (deleting the user's other, stale devices first), optionally
// cross-signs itself (and stores its keys in secret storage under a new recovery key,
// printed as {"type": "recovery_key"}), joins the room or creates an encrypted one inviting the bot, then
// reads JSON commands on stdin, one per line:
//   {"cmd": "send", "text": "..."}            -> {"type": "sent", "event_id": ...}
//   {"cmd": "wait_member", "user_id": "..."}  -> {"type": "joined", "user_id": ...}
//   {"cmd": "react", "room_id": "...", "event_id": "...", "key": "👍"}
//       -> {"type": "reacted", "event_id": ..., "wire_type": type stored by the server}
//       (sent as Element Web sends it: matrix-js-sdk leaves reactions unencrypted)
//   {"cmd": "quit"}                           -> deletes its device and exits
// and prints JSON lines on stdout: "ready", "sent", "joined", "message" (every message of
// another user: decrypted body or failure code, and the shield the client would show),
// "error". With --accept-invites it joins every room it is invited to (a bot's direct
// chats) and reports their messages too. Diagnostics go to stderr.

import { createInterface } from "node:readline";

import * as sdk from "matrix-js-sdk";
import {
  AllDevicesIsolationMode,
  EventShieldColour,
  EventShieldReason,
  OnlySignedDevicesIsolationMode,
} from "matrix-js-sdk/lib/crypto-api/index.js";

function parseArgs(argv) {
  const args = {
    isolation: "only-signed",
    crossSign: false,
    secretStorage: false,
    acceptInvites: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
      return argv[++i];
    };
    if (name === "--homeserver") args.homeserver = value();
    else if (name === "--user") args.user = value();
    else if (name === "--password") args.password = value();
    else if (name === "--isolation") args.isolation = value();
    else if (name === "--cross-sign") args.crossSign = true;
    else if (name === "--secret-storage") args.secretStorage = true;
    else if (name === "--room") args.room = value();
    else if (name === "--invite") args.invite = value();
    else if (name === "--accept-invites") args.acceptInvites = true;
    else throw new Error(`unknown argument ${name}`);
  }
  for (const required of ["homeserver", "user", "password"]) {
    if (!args[required]) throw new Error(`--${required} is required`);
  }
  if (!["only-signed", "all"].includes(args.isolation)) {
    throw new Error("--isolation is only-signed or all");
  }
  return args;
}

const emit = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const log = (...parts) => process.stderr.write(parts.join(" ") + "\n");
// matrix-js-sdk logs a lot through console: keep stdout for our JSON lines only.
console.log = console.info = console.debug = console.warn = (...parts) => log(...parts);

function passwordAuth(args, session) {
  const auth = {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: args.user },
    password: args.password,
  };
  if (session) auth.session = session;
  return auth;
}

async function withPasswordAuth(args, request) {
  try {
    return await request(undefined);
  } catch (error) {
    const session = error?.data?.session;
    if (error?.httpStatus !== 401 || !session) throw error;
    return await request(passwordAuth(args, session));
  }
}

async function deleteDevices(client, args, deviceIds) {
  if (deviceIds.length === 0) return;
  await withPasswordAuth(args, (auth) => client.deleteMultipleDevices(deviceIds, auth));
}

function shieldOf(info) {
  if (!info) return { shield: null, shield_reason: null };
  return {
    shield: EventShieldColour[info.shieldColour],
    shield_reason: info.shieldReason === null ? null : EventShieldReason[info.shieldReason],
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const loginClient = sdk.createClient({ baseUrl: args.homeserver });
  const login = await loginClient.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: args.user },
    password: args.password,
    initial_device_display_name: "cpts-bot test client",
  });
  let secretStorageKey = null; // [keyId, raw key] once created
  const client = sdk.createClient({
    baseUrl: args.homeserver,
    userId: login.user_id,
    deviceId: login.device_id,
    accessToken: login.access_token,
    cryptoCallbacks: {
      getSecretStorageKey: async () => secretStorageKey,
      cacheSecretStorageKey: (keyId, _info, key) => { secretStorageKey = [keyId, key]; },
    },
  });
  let cleanedUp = false;
  const cleanup = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    client.stopClient();
    try {
      await deleteDevices(client, args, [login.device_id]);
    } catch (error) {
      log("could not delete the device:", error?.message ?? error);
    }
  };
  const fail = async (where, error) => {
    emit({ type: "error", where, message: String(error?.message ?? error) });
    await cleanup();
    process.exit(1);
  };
  process.on("SIGTERM", async () => { await cleanup(); process.exit(0); });
  process.on("SIGINT", async () => { await cleanup(); process.exit(0); });

  try {
    const { devices } = await client.getDevices();
    const stale = devices.map((d) => d.device_id).filter((id) => id !== login.device_id);
    await deleteDevices(client, args, stale);

    await client.initRustCrypto({ useIndexedDB: false });
    const crypto = client.getCrypto();
    crypto.setDeviceIsolationMode(
      args.isolation === "only-signed"
        ? new OnlySignedDevicesIsolationMode()
        : new AllDevicesIsolationMode(true),
    );
    if (args.crossSign) {
      await crypto.bootstrapCrossSigning({
        setupNewCrossSigning: true,
        authUploadDeviceSigningKeys: async (makeRequest) => {
          await withPasswordAuth(args, (auth) => makeRequest(auth ?? null));
        },
      });
    }

    let roomId = args.room ?? null;
    const invited = new Set(); // rooms joined on invitation (--accept-invites)
    const watched = (id) => id === roomId || invited.has(id);
    const reported = new Set();
    const report = async (event) => {
      if (event.getSender() === login.user_id) return;
      if (event.getType() !== "m.room.message" && !event.isDecryptionFailure()) return;
      const key = `${event.getId()}:${event.isDecryptionFailure()}`;
      if (reported.has(key)) return;
      reported.add(key);
      let info = null;
      try {
        info = await crypto.getEncryptionInfoForEvent(event);
      } catch (error) {
        log("no encryption info:", error?.message ?? error);
      }
      emit({
        type: "message",
        room_id: event.getRoomId(),
        sender: event.getSender(),
        event_id: event.getId(),
        decrypted: !event.isDecryptionFailure(),
        body: event.isDecryptionFailure() ? null : (event.getContent()?.body ?? null),
        failure: event.decryptionFailureReason ?? null,
        ...shieldOf(info),
      });
    };
    client.on(sdk.RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
      if (toStartOfTimeline || (room && !watched(room.roomId))) return;
      if (event.isBeingDecrypted() || event.shouldAttemptDecryption()) {
        event.once(sdk.MatrixEventEvent.Decrypted, () => report(event));
      } else {
        report(event);
      }
    });
    client.on(sdk.MatrixEventEvent.Decrypted, (event) => {
      if (watched(event.getRoomId())) report(event);
    });
    if (args.acceptInvites) {
      client.on(sdk.RoomMemberEvent.Membership, async (_event, member) => {
        if (member.userId !== login.user_id || member.membership !== "invite") return;
        if (invited.has(member.roomId)) return;
        invited.add(member.roomId);
        try {
          await client.joinRoom(member.roomId);
          emit({ type: "invited", room_id: member.roomId });
        } catch (error) {
          log("could not join", member.roomId, error?.message ?? error);
        }
      });
    }

    const prepared = new Promise((resolve) => {
      client.on(sdk.ClientEvent.Sync, (state) => { if (state === "PREPARED") resolve(); });
    });
    await client.startClient({ initialSyncLimit: 0, lazyLoadMembers: true });
    await prepared;
    if (args.secretStorage) {
      // After the first sync: secret storage waits for its account data to come back.
      const recoveryKey = await crypto.createRecoveryKeyFromPassphrase();
      await crypto.bootstrapSecretStorage({
        setupNewSecretStorage: true,
        createSecretStorageKey: async () => recoveryKey,
      });
      emit({ type: "recovery_key", key: recoveryKey.encodedPrivateKey });
    }

    if (args.room) {
      await client.joinRoom(args.room);
    } else if (args.invite) {
      const created = await client.createRoom({
        invite: [args.invite],
        is_direct: true,
        preset: "trusted_private_chat",
        initial_state: [{
          type: "m.room.encryption",
          state_key: "",
          content: { algorithm: "m.megolm.v1.aes-sha2" },
        }],
      });
      roomId = created.room_id;
    }
    emit({ type: "ready", user_id: login.user_id, device_id: login.device_id, room_id: roomId });

    const waitMember = (userId) => new Promise((resolve) => {
      const joined = () => client.getRoom(roomId)?.getMember(userId)?.membership === "join";
      if (joined()) return resolve();
      const listener = () => {
        if (joined()) {
          client.off(sdk.RoomStateEvent.Members, listener);
          resolve();
        }
      };
      client.on(sdk.RoomStateEvent.Members, listener);
    });

    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let command;
      try {
        command = JSON.parse(line);
      } catch {
        emit({ type: "error", where: "stdin", message: `not JSON: ${line}` });
        continue;
      }
      try {
        if (command.cmd === "send") {
          const sent = await client.sendTextMessage(roomId, command.text);
          emit({ type: "sent", event_id: sent.event_id });
        } else if (command.cmd === "react") {
          const sent = await client.sendEvent(command.room_id, "m.reaction", {
            "m.relates_to": {
              rel_type: "m.annotation",
              event_id: command.event_id,
              key: command.key,
            },
          });
          // What the homeserver stored: m.reaction when sent in clear.
          const stored = await client.fetchRoomEvent(command.room_id, sent.event_id);
          emit({ type: "reacted", event_id: sent.event_id, wire_type: stored.type });
        } else if (command.cmd === "wait_member") {
          await waitMember(command.user_id);
          emit({ type: "joined", user_id: command.user_id });
        } else if (command.cmd === "quit") {
          break;
        } else {
          emit({ type: "error", where: "stdin", message: `unknown command ${command.cmd}` });
        }
      } catch (error) {
        emit({ type: "error", where: command.cmd, message: String(error?.message ?? error) });
      }
    }
    await cleanup();
    emit({ type: "bye" });
    process.exit(0);
  } catch (error) {
    await fail("setup", error);
  }
}

main().catch((error) => {
  emit({ type: "error", where: "main", message: String(error?.message ?? error) });
  process.exit(1);
});
