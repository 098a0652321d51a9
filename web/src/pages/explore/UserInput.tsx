// UserInput is the Action user / Target user box: an id, email or name.
export function UserInput(props: {
  id: string;
  label: string;
  role: 'ACTION_USER' | 'TARGET_USER';
  value: string;
  onInput: (v: string) => void;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        autoComplete="off"
        placeholder="id, email or name"
        data-role={props.role}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </>
  );
}
