import { base } from '../session.ts';

export default function NotFound() {
  return (
    <>
      <h1>Nothing here</h1>
      <p>
        This address is not a page of the console. <a href={`${base}/`}>Go to the portfolio</a>.
      </p>
    </>
  );
}
