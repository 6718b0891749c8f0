import { create } from "zustand";

export interface Session {
  token: string;
  cashierId: string;
  displayName: string;
  manager: boolean;
  branchId: string;
  currency: string;
}

interface SessionState {
  session: Session | null;
  signIn: (s: Session) => void;
  signOut: () => void;
}

const KEY = "dcs-pos-session";

function restore(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const useSession = create<SessionState>((set) => ({
  session: typeof sessionStorage === "undefined" ? null : restore(),
  signIn: (s) => {
    sessionStorage.setItem(KEY, JSON.stringify(s));
    set({ session: s });
  },
  signOut: () => {
    sessionStorage.removeItem(KEY);
    set({ session: null });
  },
}));
