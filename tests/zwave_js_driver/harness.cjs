// The real Z-Wave JS driver and Z-Wave JS Server, in front of a simulated lock.
//
// zwave-js's mock controller and mock node (with the behaviours of lock.cjs) sit behind the
// driver's mocked serial port in this process, and Z-Wave JS Server serves the driver on a
// WebSocket, as the Z-Wave JS add-on does: Home Assistant's zwave_js integration connects to
// it unchanged. (zwave-js's own mock-server program bridges its mock over TCP without
// re-framing the byte stream, which breaks on a coalesced ACK; this runs it in-process.)
//
// Usage: node harness.cjs CACHE_DIR
// Prints "READY <port>" once every node is interviewed and the server listens on 127.0.0.1
// (a free port); exits on SIGTERM or when stdin closes. Commands on stdin, one per line, each answered with one line:
//   now                     -> "NOW <ISO time>" (the clock the simulated network runs on)
//   node <id> <command> ... -> "OK" (a command of lock.cjs: clock-unset, zone -480 -420...)

const net = require("node:net");
const path = require("node:path");
const readline = require("node:readline");
const {
	createAndStartDriverWithMockPort,
	createDefaultMockControllerBehaviors,
	createDefaultMockNodeBehaviors,
} = require("zwave-js/Testing");
const { MockController, MockNode } = require("@zwave-js/testing");
const { ZwavejsServer } = require("@zwave-js/server");
const { Bytes } = require("@zwave-js/shared");

// A free TCP port on 127.0.0.1 (Z-Wave JS Server takes 0 for "the default", 3000).
function freePort() {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once("error", reject);
		probe.listen(0, "127.0.0.1", () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

async function main() {
	const [cacheDir] = process.argv.slice(2);
	const config = require("./lock.cjs").default({ require });
	const { driver, continueStartup, mockPort, serial } =
		await createAndStartDriverWithMockPort({
			logConfig: {
				enabled: true,
				level: "debug",
				logToFile: true,
				filename: path.join(cacheDir, "zwavejs_%DATE%.log"),
			},
			securityKeys: {
				// Test keys of zwave-js's own integration tests; the mock is unsecured.
				S0_Legacy: Bytes.from("0102030405060708090a0b0c0d0e0f10", "hex"),
			},
			storage: { cacheDir, lockDir: path.join(cacheDir, "locks") },
			testingHooks: { skipFirmwareIdentification: true },
			emitValueUpdateAfterSetValue: true,
		});
	const mockNodes = new Map();
	const controller = await MockController.create({
		homeId: 0x7e570001,
		ownNodeId: 1,
		mockPort,
		serial,
	});
	controller.defineBehavior(...createDefaultMockControllerBehaviors());
	for (const options of config.nodes) {
		const node = await MockNode.create({
			id: options.id,
			capabilities: options.capabilities,
			controller,
		});
		controller.addNode(node);
		mockNodes.set(options.id, node);
		node.defineBehavior(...createDefaultMockNodeBehaviors());
		node.defineBehavior(...(options.behaviors ?? []));
	}

	let server;
	driver.once("all nodes ready", async () => {
		const port = await freePort();
		server = new ZwavejsServer(driver, {
			port,
			host: "127.0.0.1",
			enableDNSServiceDiscovery: false,
		});
		await server.start(true);
		console.log(`READY ${port}`);
	});
	driver.on("error", (err) => console.error("driver error", err));

	const stop = async () => {
		await server?.destroy();
		await driver.destroy();
		process.exit(0);
	};
	process.on("SIGTERM", stop);
	process.on("SIGINT", stop);

	const lines = readline.createInterface({ input: process.stdin });
	lines.on("line", (line) => {
		const [verb, id, command, ...args] = line.trim().split(/\s+/);
		if (verb === "now") {
			console.log(`NOW ${new Date().toISOString()}`);
		} else if (verb === "node" && mockNodes.has(Number(id)) && config.commands[command]) {
			config.commands[command](mockNodes.get(Number(id)), ...args);
			console.log("OK");
		} else {
			console.log(`ERROR unknown command: ${line}`);
		}
	});
	lines.on("close", stop);
	continueStartup();
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
