// A simulated Z-Wave keypad lock for zwave-js's mock (node 2 behind a mock controller).
//
// Command classes as a keypad deadbolt with schedules has them: Door Lock, User Code (30
// users), Schedule Entry Lock V3 (one year-day slot per user, handled by zwave-js's own mock
// behaviours) and Time Parameters, which zwave-js's mock does not simulate: the behaviours
// below add it (a clock that starts at 2000-01-01, as a lock after a battery change, and
// takes the time it is given). Loaded by harness.cjs.

module.exports.default = function ({ require }) {
	const { CommandClasses } = require("@zwave-js/core");
	const { Bytes } = require("@zwave-js/shared");
	const {
		TimeParametersCCGet,
		TimeParametersCCReport,
		TimeParametersCCSet,
	} = require("@zwave-js/cc/TimeParametersCC");

	// The lock's clock: the time it shows minus the time it is (milliseconds); and
	// whether it refuses to be set (a lock that keeps a wrong time).
	const CLOCK_OFFSET = "TimeParameters_offset";
	const CLOCK_REFUSES = "TimeParameters_refuses";
	const unsetOffset = () => Date.UTC(2000, 0, 1) - Date.now();

	// The lock reports its clock's fields as it keeps them (whatever zone it was set in).
	function segments(self) {
		const shown = new Date(Date.now() + (self.state.get(CLOCK_OFFSET) ?? unsetOffset()));
		return [
			shown.getUTCFullYear() >> 8,
			shown.getUTCFullYear() & 0xff,
			shown.getUTCMonth() + 1,
			shown.getUTCDate(),
			shown.getUTCHours(),
			shown.getUTCMinutes(),
			shown.getUTCSeconds(),
		];
	}

	const respondToTimeParametersGet = {
		handleCC(controller, self, receivedCC) {
			if (receivedCC instanceof TimeParametersCCGet) {
				const cc = new TimeParametersCCReport({
					nodeId: controller.ownNodeId,
					dateAndTime: new Date(),
				});
				// zwave-js only parses this report: its payload is written here.
				cc.payload = Bytes.from(segments(self));
				return { action: "sendCC", cc };
			}
		},
	};

	const respondToTimeParametersSet = {
		handleCC(controller, self, receivedCC) {
			if (receivedCC instanceof TimeParametersCCSet) {
				if (self.state.get(CLOCK_REFUSES)) return { action: "ok" };
				// Parsed as if UTC: the fields exactly as sent are what the lock shows.
				self.state.set(
					CLOCK_OFFSET,
					receivedCC.dateAndTime.getTime() - Date.now(),
				);
				return { action: "ok" };
			}
		},
	};

	// What a test may do to the lock (harness.cjs reads these commands on stdin).
	const commands = {
		"clock-unset": (node) => node.state.set(CLOCK_OFFSET, unsetOffset()),
		"clock-refuses": (node) => node.state.set(CLOCK_REFUSES, true),
		"clock-accepts": (node) => node.state.set(CLOCK_REFUSES, false),
		// Schedule Entry Lock time offsets (minutes), as zwave-js's mock stores them.
		"zone": (node, standard, dst) => {
			node.state.set("ScheduleEntryLock_standardOffset", Number(standard));
			node.state.set("ScheduleEntryLock_dstOffset", Number(dst));
		},
	};

	return {
		commands,
		nodes: [
			{
				id: 2,
				capabilities: {
					manufacturerId: 0x0129,
					productType: 0x8002,
					productId: 0x0600,
					genericDeviceClass: 0x40, // Entry Control
					specificDeviceClass: 0x03, // Secure Keypad Door Lock
					commandClasses: [
						CommandClasses["Manufacturer Specific"],
						CommandClasses.Version,
						CommandClasses["Door Lock"],
						{ ccId: CommandClasses["User Code"], version: 1, numUsers: 30 },
						{
							ccId: CommandClasses["Schedule Entry Lock"],
							version: 3,
							numWeekDaySlots: 0,
							numYearDaySlots: 1,
							numDailyRepeatingSlots: 0,
						},
						{ ccId: CommandClasses["Time Parameters"], version: 1 },
					],
				},
				behaviors: [respondToTimeParametersGet, respondToTimeParametersSet],
			},
		],
	};
};
