import { useState, type FormEvent } from "react";
import { errorMessage } from "../../lib/errors";
import { useSignIn } from "./api/signIn";

export function SignInScreen() {
  const signIn = useSignIn();
  const [cashierId, setCashierId] = useState("");
  const [pin, setPin] = useState("");
  const [tillId, setTillId] = useState("till-1");
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await signIn.mutateAsync({ cashierId, pin, tillId });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="center" onSubmit={submit} data-testid="sign-in">
      <h2>Sign in</h2>
      <input autoFocus placeholder="Cashier id" value={cashierId} onChange={(e) => setCashierId(e.target.value)} name="cashier" />
      <input placeholder="PIN" type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} name="pin" />
      <input placeholder="Till" value={tillId} onChange={(e) => setTillId(e.target.value)} name="till" />
      <button className="primary" type="submit">Sign in</button>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}
