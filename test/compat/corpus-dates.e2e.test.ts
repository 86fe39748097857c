import { describe, expect } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";

const api = useServer();

/** A fixed instant: the handlers never read the clock, so their answers are Node's exactly. */
const AT = "2024-03-09T23:30:00.000Z";

const CASES: CorpusCase[] = [
  {
    name: "corpus-date-fns",
    packages: ["date-fns"],
    event: { at: AT },
    files: {
      "index.mjs": `
        import { addDays, addMonths, differenceInCalendarDays, format, formatDistance, formatISO, isWeekend, parse, startOfWeek, eachDayOfInterval, intervalToDuration, formatDuration } from "date-fns";
        import { de, ja } from "date-fns/locale";
        export const handler = async (event) => {
          const at = new Date(event.at);
          return {
            formatted: format(at, "EEEE, MMMM do yyyy HH:mm:ss"),
            german: format(addMonths(at, 1), "EEEE d. MMMM yyyy", { locale: de }),
            japanese: format(at, "PPPP", { locale: ja }),
            iso: formatISO(addDays(at, 30)),
            parsed: parse("07/04/2024 13:05", "MM/dd/yyyy HH:mm", at).toISOString(),
            days: differenceInCalendarDays(new Date("2024-12-25T00:00:00Z"), at),
            weekend: isWeekend(at),
            weekStart: startOfWeek(at, { weekStartsOn: 1 }).toISOString(),
            distance: formatDistance(at, addDays(at, 45), { addSuffix: true }),
            distanceDe: formatDistance(at, addDays(at, 3), { locale: de }),
            span: eachDayOfInterval({ start: at, end: addDays(at, 3) }).map((d) => format(d, "dd")),
            duration: formatDuration(intervalToDuration({ start: at, end: new Date("2025-05-20T01:02:03Z") })),
          };
        };`,
    },
    check: (out) => {
      expect(out.formatted).toBe("Saturday, March 9th 2024 23:30:00");
      expect(out.german).toBe("Dienstag 9. April 2024");
      expect(out.iso).toBe("2024-04-08T23:30:00Z");
      expect(out.parsed).toBe("2024-07-04T13:05:00.000Z");
      expect(out.days).toBe(291);
      expect(out.weekend).toBe(true);
      expect(out.distance).toBe("about 2 months ago");
      expect(out.span).toEqual(["09", "10", "11", "12"]);
    },
  },
  {
    name: "corpus-moment",
    packages: ["moment"],
    event: { at: AT },
    files: {
      "index.js": `
        const moment = require("moment");
        // Loading a locale makes it the global one, as moment does in Node: English stays the default here.
        require("moment/locale/fr");
        moment.locale("en");
        exports.handler = async (event) => {
          const at = moment.utc(event.at);
          return {
            formatted: at.format("dddd, MMMM Do YYYY, h:mm:ss a"),
            french: at.clone().locale("fr").format("LLLL"),
            plus: at.clone().add(1, "month").subtract(2, "hours").toISOString(),
            startOfIsoWeek: at.clone().startOf("isoWeek").format(),
            diffDays: moment.utc("2024-12-25").diff(at, "days"),
            from: at.from(at.clone().add(3, "days")),
            calendar: at.calendar(at.clone().add(1, "day")),
            duration: moment.duration(93784000).humanize(),
            durationIso: moment.duration({ days: 1, hours: 2, minutes: 3 }).toISOString(),
            strict: moment("2024-02-30", "YYYY-MM-DD", true).isValid(),
            offset: at.clone().utcOffset("+05:30").format("YYYY-MM-DD HH:mm Z"),
            globalLocale: moment.locale(),
          };
        };`,
    },
    check: (out) => {
      expect(out.formatted).toBe("Saturday, March 9th 2024, 11:30:00 pm");
      expect(out.french).toBe("samedi 9 mars 2024 23:30");
      expect(out.plus).toBe("2024-04-09T21:30:00.000Z");
      expect(out.diffDays).toBe(290);
      expect(out.from).toBe("3 days ago");
      expect(out.calendar).toBe("Yesterday at 11:30 PM");
      expect(out.duration).toBe("a day");
      expect(out.durationIso).toBe("P1DT2H3M");
      expect(out.strict).toBe(false);
      expect(out.offset).toBe("2024-03-10 05:00 +05:30");
    },
  },
  {
    name: "corpus-dayjs-tz",
    packages: ["dayjs"],
    event: { at: AT },
    files: {
      "index.js": `
        const dayjs = require("dayjs");
        dayjs.extend(require("dayjs/plugin/utc"));
        dayjs.extend(require("dayjs/plugin/timezone"));
        dayjs.extend(require("dayjs/plugin/duration"));
        dayjs.extend(require("dayjs/plugin/isoWeek"));
        require("dayjs/locale/es");
        exports.handler = async (event) => {
          const at = dayjs.utc(event.at);
          return {
            ny: at.tz("America/New_York").format("YYYY-MM-DD HH:mm Z"),
            dstNext: at.tz("America/New_York").add(3, "hour").format("YYYY-MM-DD HH:mm Z"),
            kolkata: at.tz("Asia/Kolkata").format(),
            parsedInZone: dayjs.tz("2024-07-01 09:00", "Europe/Paris").toISOString(),
            spanish: at.locale("es").format("dddd D [de] MMMM"),
            isoWeek: at.isoWeek(),
            duration: dayjs.duration(93784000).format("D[d] HH:mm:ss"),
          };
        };`,
    },
    check: (out) => {
      expect(out.ny).toBe("2024-03-09 18:30 -05:00");
      expect(out.dstNext).toBe("2024-03-09 21:30 -05:00");
      expect(out.kolkata).toBe("2024-03-10T05:00:00+05:30");
      expect(out.parsedInZone).toBe("2024-07-01T07:00:00.000Z");
      expect(out.spanish).toBe("sábado 9 de marzo");
      expect(out.duration).toBe("1d 02:03:04");
    },
  },
];

describe("date libraries inside the sandbox, each answer equal to Node's", () => {
  corpusTests(api, CASES);
});
