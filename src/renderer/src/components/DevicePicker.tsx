import { useEffect, useState } from 'react';
import { useT } from '../i18n';

interface Props {
  kind: 'videoinput' | 'audioinput';
  value: string;
  onChange: (deviceId: string) => void;
  /** Offer "No microphone" (a camera's sound can be turned off; a microphone source cannot). */
  allowNone?: boolean;
}

/** A camera or microphone picker from enumerateDevices; refreshed when devices come and go. */
export function DevicePicker({ kind, value, onChange, allowNone = true }: Props) {
  const tr = useT();
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md) return;
    const refresh = () => md.enumerateDevices().then((list) => setDevices(list.filter((d) => d.kind === kind)), () => undefined);
    refresh();
    md.addEventListener('devicechange', refresh);
    return () => md.removeEventListener('devicechange', refresh);
  }, [kind]);
  return (
    <label className="field">
      {kind === 'videoinput' ? tr('props.camera') : tr('props.microphone')}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={`device-${kind}`}>
        <option value="">{tr('props.deviceDefault')}</option>
        {kind === 'audioinput' && allowNone && <option value="none">{tr('props.noMicrophone')}</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId || i} value={d.deviceId}>
            {d.label || `${kind === 'videoinput' ? tr('props.camera') : tr('props.microphone')} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
