import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";
import { fromCorpus } from "./in-node.js";

const api = useServer();

/** The handler's work, run in the sandbox and, for the expected answer, in this process. */
const WORK = `(luxon, at) => {
  const { DateTime, Duration, Interval, Info } = luxon;
  const utc = DateTime.fromISO(at, { zone: "utc" });
  const ny = utc.setZone("America/New_York");
  const tokyo = utc.setZone("Asia/Tokyo").setLocale("ja-JP");
  const now = DateTime.now().setZone("America/New_York");
  return {
    ny: ny.toFormat("yyyy-LL-dd HH:mm:ss ZZZZ (ZZ) cccc LLLL"),
    nyOffset: ny.offset,
    nyLocale: ny.toLocaleString(DateTime.DATETIME_FULL),
    tokyo: tokyo.toLocaleString(DateTime.DATETIME_MED_WITH_WEEKDAY),
    french: utc.setLocale("fr").toFormat("cccc d LLLL yyyy"),
    dst: DateTime.fromISO("2024-03-10T01:30", { zone: "America/New_York" }).plus({ hours: 1 }).toISO(),
    nowZone: now.zoneName,
    nowValid: now.isValid,
    duration: Duration.fromObject({ hours: 26, minutes: 5 }).shiftTo("days", "hours", "minutes").toHuman(),
    durationIso: Duration.fromMillis(93784000).toISO(),
    interval: Interval.fromDateTimes(utc, utc.plus({ days: 45 })).toDuration(["months", "days"]).toObject(),
    intervalText: Interval.fromDateTimes(utc, utc.plus({ days: 3 })).toLocaleString(DateTime.DATE_MED),
    relative: utc.minus({ days: 2 }).toRelative({ base: utc }),
    relativeDe: utc.plus({ hours: 5 }).toRelative({ base: utc, locale: "de" }),
    months: Info.months("short", { locale: "es" }),
    weekStart: Info.getStartOfWeek({ locale: "en-GB" }),
    zoneValid: Info.isValidIANAZone("Europe/Berlin"),
    bogusZone: DateTime.now().setZone("Mars/Base").invalidReason,
  };
}`;

describe("luxon inside the sandbox", () => {
  it("formats, shifts and compares dates in IANA time zones and locales as in Node", async () => {
    await deployPackaged(api, "compat-luxon", {
      packages: ["luxon"],
      files: {
        "index.js": `
          const luxon = require("luxon");
          const work = ${WORK};
          exports.handler = async (event) => work(luxon, event.at);`,
      },
    });
    const at = "2024-07-04T16:05:09.250Z";
    const out = await invokeOk(api, "compat-luxon", { at });
    process.env.TZ = "UTC";
    const expected = (new Function(`return ${WORK}`)() as (l: unknown, at: string) => unknown)(fromCorpus("luxon"), at);
    expect(out).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(out).toMatchObject({ ny: "2024-07-04 12:05:09 EDT (-04:00) Thursday July", nyOffset: -240, nowZone: "America/New_York" });
  });
});
