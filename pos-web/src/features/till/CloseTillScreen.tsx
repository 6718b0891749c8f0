import { useState, type FormEvent } from "react";
import { errorMessage } from "../../lib/errors";
import { formatMinor, parseMinor } from "../../lib/money";
import type { TillCloseReport } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import type { Session } from "../session";
import { useCloseTill } from "./api/closeTill";

export function CloseTillScreen({ session }: { session: Session }) {
  const closeTill = useCloseTill(session.token);
  const [counted, setCounted] = useState("");
  const [report, setReport] = useState<TillCloseReport | null>(null);
  const [error, setError] = useState("");
  const close = async (e: FormEvent) => {
    e.preventDefault();
    const minor = parseMinor(counted);
    if (minor === null) return setError("Enter the counted cash, e.g. 123.45");
    try {
      setReport(await closeTill.mutateAsync(minor));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="center" onSubmit={close} data-testid="close-till">
      <h2>Close till</h2>
      {!report && <><label>Counted cash <input autoFocus value={counted} onChange={(e) => setCounted(e.target.value)} name="counted" /></label>
        <button className="primary">Close till</button></>}
      {report && (
        <div className="totals" data-testid="close-report">
          <span>Expected</span><span>{formatMinor(report.expectedCashMinor, session.currency)}</span>
          <span>Counted</span><span>{formatMinor(report.countedCashMinor, session.currency)}</span>
          <span>Difference</span><span className={report.differenceMinor === 0n ? "ok" : "error"}>{formatMinor(report.differenceMinor, session.currency)}</span>
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}
