import React, { useState } from 'react';
import { NumberInput } from './number-input';
import { useText } from './text';

/**
 * A location: "Use my location" asks the browser (navigator.geolocation; the browser asks the
 * person first), and the four parts can be typed by hand. The value is the answer's geopoint
 * object, `{latitude, longitude, altitude?, accuracy?}` in decimal degrees and metres; the rules
 * engine judges the ranges, as the API does. No map is loaded: the page fetches nothing else.
 */

type Point = {
  latitude?: number | null;
  longitude?: number | null;
  altitude?: number | null;
  accuracy?: number | null;
};
const PARTS = [
  { key: 'latitude', min: -90, max: 90 },
  { key: 'longitude', min: -180, max: 180 },
  { key: 'altitude' },
  { key: 'accuracy', min: 0 },
] as const;

const asPoint = (v: unknown): Point => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Point) : {});

/** The point with empty parts left out, or null when nothing is entered. */
function cleaned(point: Point): Point | null {
  const out: Point = {};
  for (const { key } of PARTS) if (typeof point[key] === 'number') out[key] = point[key];
  return Object.keys(out).length ? out : null;
}

export const GeopointInput: React.FC<{
  value: unknown;
  onChange: (v: unknown) => void;
  testId: string;
  id?: string;
  invalid?: boolean;
  disabled?: boolean;
}> = ({ value, onChange, testId, id, invalid, disabled }) => {
  const t = useText();
  const point = asPoint(value);
  const [status, setStatus] = useState<string | null>(null);
  const locate = () => {
    if (!('geolocation' in navigator)) return setStatus(t.noGeolocation);
    setStatus(t.findingLocation);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setStatus(null);
        const { latitude, longitude, altitude, accuracy } = pos.coords;
        onChange(cleaned({ latitude, longitude, altitude, accuracy: Math.round(accuracy * 10) / 10 }));
      },
      (err) => setStatus(t.noLocation(err.message)),
      { enableHighAccuracy: true, timeout: 20_000 },
    );
  };
  const cls = `gbff-input${invalid ? ' invalid' : ''}`;
  return (
    <div className="gbff-geo" data-testid={testId} id={id}>
      <div className="gbff-geo-parts">
        {PARTS.map((p) => (
          <label key={p.key} className="gbff-geo-part">
            <span className="gbff-muted">{t[p.key]}</span>
            <NumberInput
              integer={false}
              className={cls}
              disabled={disabled}
              testId={`${testId}-${p.key}`}
              value={point[p.key]}
              min={'min' in p ? p.min : undefined}
              max={'max' in p ? p.max : undefined}
              onChange={(n) => onChange(cleaned({ ...point, [p.key]: n }))}
            />
          </label>
        ))}
      </div>
      {disabled ? null : (
        <button
          type="button"
          className="gbff-link-btn"
          data-testid={`${testId}-locate`}
          onClick={locate}
          style={{ marginTop: 6 }}
        >
          ⌖ {t.useMyLocation}
        </button>
      )}
      {status ? (
        <div className="gbff-muted" role="status">
          {status}
        </div>
      ) : null}
    </div>
  );
};
