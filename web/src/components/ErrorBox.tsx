export function ErrorBox({ message }: { message: string }) {
  return (
    <div class="error" role="alert">
      {message}
    </div>
  );
}
