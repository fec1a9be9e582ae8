import { useState, type ReactNode } from 'react';
import { ApiFailure } from '../api';

/** An API error next to the form that caused it: the API's own message. */
export function FormError({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="notice error" role="alert" data-testid="form-error">
      {error}
    </p>
  );
}

/** The message of a failed call, as the API wrote it. */
export function messageOf(failure: unknown): string {
  return failure instanceof ApiFailure ? failure.message : String(failure);
}

/** Runs admin writes and keeps the last one's error for `FormError`: a success clears it. */
export function useWrite() {
  const [error, setError] = useState<string>();
  const write = async (action: () => Promise<void>) => {
    try {
      await action();
      setError(undefined);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return { error, write };
}

/**
 * An admin form: submitting runs `onSubmit` with the form's data (a write
 * through the admin API), and the API's error shows below it. `onCancel`
 * adds a Cancel button.
 */
export function WriteForm(props: {
  testId: string;
  submitLabel: string;
  onSubmit: (data: FormData, form: HTMLFormElement) => Promise<void>;
  onCancel?: () => void;
  children: ReactNode;
}) {
  const { error, write } = useWrite();
  return (
    <form
      className="filters"
      data-testid={props.testId}
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        await write(() => props.onSubmit(new FormData(form), form));
      }}
    >
      {props.children}
      <button type="submit">{props.submitLabel}</button>
      {props.onCancel && (
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      )}
      <FormError error={error} />
    </form>
  );
}
