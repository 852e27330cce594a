interface QueryStateProps {
  isPending: boolean;
  error: Error | null;
  what: string;
  testId: string;
}

/** Loading and error notices shared by the browse lists; renders nothing once data is there. */
export function QueryState({ isPending, error, what, testId }: QueryStateProps) {
  if (error) {
    return (
      <p role="alert" className="notice notice-error" data-testid={`${testId}-error`}>
        Could not load {what}: {error.message}
      </p>
    );
  }
  if (isPending) {
    return (
      <p className="notice" data-testid={`${testId}-loading`}>
        Loading {what}…
      </p>
    );
  }
  return null;
}
