// The market's price chart (lightweight-charts): the oracle updates seen since the page loaded plus
// the prices in the program's event history, with the selected position's entry, liquidation and
// bankruptcy prices drawn as lines. Chart values are display-only numbers; every decision uses bigint.
import { useEffect, useMemo, useRef } from "react";
import { createChart, LineSeries, type IChartApi, type IPriceLine, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { PRICE_ONE } from "../../src/math";
import type { PricePoint } from "./data";
import { priceText } from "./format";

export interface ChartLine { title: string; price: bigint; color: string }

const toNumber = (p: bigint) => Number(p / 10_000n) / Number(PRICE_ONE / 10_000n);

export function PriceChart({ points, lines }: { points: PricePoint[]; lines: ChartLine[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Line"> | null>(null);
  const drawn = useRef<IPriceLine[]>([]);

  useEffect(() => {
    if (!box.current) return;
    const c = createChart(box.current, { height: 260, layout: { attributionLogo: false }, timeScale: { timeVisible: true, secondsVisible: true } });
    chart.current = c;
    series.current = c.addSeries(LineSeries, { color: "#2962ff", lineWidth: 2, priceFormat: { type: "price", precision: 4, minMove: 0.0001 } });
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
      drawn.current = [];
    };
  }, []);

  // One point per second (the newest price of that second), in time order, as the library
  // requires; recomputed when the points change, not on every render (the page re-renders each second).
  const data = useMemo(() => {
    const bySecond = new Map<number, bigint>();
    for (const p of [...points].sort((a, b) => a.time - b.time)) bySecond.set(p.time, p.price);
    return [...bySecond.entries()].map(([time, price]) => ({ time: time as UTCTimestamp, value: toNumber(price) }));
  }, [points]);
  useEffect(() => {
    series.current?.setData(data);
    chart.current?.timeScale().fitContent();
  }, [data]);

  const key = lines.map((l) => `${l.title}:${l.price}`).join(",");
  useEffect(() => {
    const s = series.current;
    if (!s) return;
    drawn.current.forEach((l) => s.removePriceLine(l));
    drawn.current = lines.map((l) => s.createPriceLine({ price: toNumber(l.price), color: l.color, title: l.title, lineWidth: 1, axisLabelVisible: true }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <div>
      <div ref={box} data-testid="chart" data-points={data.length} />
      <div data-testid="chart-legend" style={{ fontSize: "0.85rem", color: "#555" }}>
        {data.length} price points (oracle updates since page load and the program's event history)
        {lines.map((l) => (
          <span key={l.title} data-testid={`chart-line-${l.title}`} style={{ color: l.color, marginLeft: 12 }}>
            {l.title} {priceText(l.price)}
          </span>
        ))}
      </div>
    </div>
  );
}
