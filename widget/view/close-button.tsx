/** The close button `.x` of the checklist's panel and the survey prompt: a cross, named `label`. */
export function CloseButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" class="x" aria-label={label} title={label} onClick={onClick}>
      <svg width="16" height="16" aria-hidden="true">
        <path d="M3 3l10 10M13 3L3 13" />
      </svg>
    </button>
  );
}
