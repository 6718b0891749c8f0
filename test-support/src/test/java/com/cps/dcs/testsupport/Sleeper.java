package com.cps.dcs.testsupport;

/** A child program for ChildJvmIT: announces itself, then waits to be killed. */
public final class Sleeper {
  public static void main(String[] args) throws Exception {
    System.out.println("sleeper ready pid=" + ProcessHandle.current().pid());
    System.out.flush();
    new java.util.concurrent.CountDownLatch(1).await();
  }
}
