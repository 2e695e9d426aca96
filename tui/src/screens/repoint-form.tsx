import { Box, Text } from 'ink';
import { useState } from 'react';
import { useKeys } from '../components/keys.js';
import { TextField, editLine } from '../components/text-field.js';
import { Tone } from '../components/tone.js';

export interface RepointValues {
  url: string;
  user: string;
  password: string;
}

const FIELDS = [
  { name: 'url', label: 'pool url: ' },
  { name: 'user', label: 'user:     ' },
  { name: 'password', label: 'password: ' },
] as const;

/** The re-point form: Tab/↓ and ↑ move between fields, Enter on the last one sends, Esc cancels. */
export function RepointForm({
  initial,
  onSubmit,
  onCancel,
}: {
  initial: RepointValues;
  onSubmit: (values: RepointValues) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState(initial);
  const [field, setField] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const name = FIELDS[field]?.name ?? 'url';
  useKeys((input, key) => {
    if (key.tab && key.shift) return setField((f) => Math.max(0, f - 1));
    if (key.tab || key.downArrow) return setField((f) => Math.min(FIELDS.length - 1, f + 1));
    if (key.upArrow) return setField((f) => Math.max(0, f - 1));
    const edit = editLine(values[name], input, key);
    if (edit?.kind === 'change') setValues((v) => ({ ...v, [name]: edit.value }));
    if (edit?.kind === 'submit') submit();
    if (edit?.kind === 'cancel') onCancel();
  });
  const submit = () => {
    if (field < FIELDS.length - 1) return setField(field + 1);
    if (!/^stratum(\+tcp|\+ssl)?:\/\/[^\s/:]+:\d+/.test(values.url)) {
      setProblem('the url looks like stratum+tcp://host:port');
      return setField(0);
    }
    if (!values.user) {
      setProblem('the user (account.worker) is needed');
      return setField(1);
    }
    onSubmit(values);
  };
  return (
    <Box flexDirection="column">
      <Text bold>Re-point (Tab next field, Enter on password sends, Esc cancels)</Text>
      {FIELDS.map((f, i) => (
        <TextField
          key={f.name}
          label={`${i === field ? '> ' : '  '}${f.label}`}
          value={values[f.name]}
          secret={f.name === 'password'}
          focused={i === field}
        />
      ))}
      {problem ? <Tone tone="bad">{problem}</Tone> : null}
    </Box>
  );
}
