package com.cps.dcs.localagent.till;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.pos.v1.StaffMember;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StaffTest {

  @Test
  void givenAStaffMemberThenOnlyTheRightPinMatchesAndThePinIsNotStoredInClear() {
    StaffMember m = Staff.create("1001", "Ana", Role.ROLE_CASHIER, "1234");
    assertThat(Staff.pinMatches(m, "1234")).isTrue();
    assertThat(Staff.pinMatches(m, "1235")).isFalse();
    assertThat(Staff.pinMatches(m, "")).isFalse();
    assertThat(m.toByteString().toString(StandardCharsets.ISO_8859_1)).doesNotContain("1234");
    assertThat(m.getPinSalt().size()).isEqualTo(16);
    assertThat(m.getPinHash().size()).isEqualTo(32);
  }

  @Test
  void givenTheSamePinTwiceThenTheSaltsAndHashesDiffer() {
    StaffMember a = Staff.create("1001", "Ana", Role.ROLE_CASHIER, "1234");
    StaffMember b = Staff.create("1002", "Ben", Role.ROLE_CASHIER, "1234");
    assertThat(a.getPinSalt()).isNotEqualTo(b.getPinSalt());
    assertThat(a.getPinHash()).isNotEqualTo(b.getPinHash());
    assertThat(Staff.pinMatches(b, "1234")).isTrue();
  }

  @Test
  void givenAPinThatIsNotFourToEightDigitsThenRefused() {
    assertThatThrownBy(() -> Staff.create("1", "X", Role.ROLE_MANAGER, "12a4")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Staff.create("1", "X", Role.ROLE_MANAGER, "123")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Staff.create("1", "X", Role.ROLE_MANAGER, "123456789"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
