import { useState, type FormEvent } from "react";
import { errorMessage } from "../../lib/errors";
import { parseMinor } from "../../lib/money";
import type { Session } from "../session";
import { useOpenTill } from "./api/openTill";

export function OpenTillScreen({ session }: { session: Session }) {
  const openTill = useOpenTill(session.token);
  const [cash, setCash] = useState("100.00");
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const minor = parseMinor(cash);
    if (minor === null) return setError("Enter the opening cash, e.g. 100.00");
    try {
      await openTill.mutateAsync(minor);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="center" onSubmit={submit} data-testid="open-till">
      <h2>Open till</h2>
      <label>Opening cash ({session.currency}) <input autoFocus name="opening-cash" value={cash} onChange={(e) => setCash(e.target.value)} /></label>
      <button className="primary" type="submit">Open till</button>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}
