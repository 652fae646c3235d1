import { ApiProperty } from '@nestjs/swagger';

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'position in the log: one sequence for all chains, in each chain its order' }) seq: string;
  @ApiProperty({ description: 'the chain the row is on (0 when nothing else was being audited at the time)' }) chain: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorAgencyId: string | null;
  @ApiProperty({ type: [String], example: ['coordinator@2f1c…'] }) actorRoles: string[];
  @ApiProperty({ example: 'case.read' }) action: string;
  @ApiProperty({ example: 'case' }) objectType: string;
  @ApiProperty({ nullable: true, type: String }) objectId: string | null;
  @ApiProperty({ type: [String], description: 'ids of the people whose data this concerns' }) subjectIds: string[];
  @ApiProperty({ nullable: true, type: String, example: 'conference-preparation' }) purpose: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) groupId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'codes only' }) details: Record<string, unknown>;
  @ApiProperty({ description: 'HMAC-SHA256 of the row and its predecessor on its chain (hex)' }) hash: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class AuditVerifyResultDto {
  @ApiProperty() valid: boolean;
  @ApiProperty({ description: 'rows checked' }) checked: number;
  @ApiProperty({ required: false, format: 'uuid', description: 'the first row that is broken, or the recorded head that is missing' }) firstBrokenId?: string;
  @ApiProperty({ required: false }) firstBrokenSeq?: string;
  @ApiProperty({ required: false, enum: ['hash-mismatch', 'link-broken', 'recorded-head-missing', 'recorded-head-mismatch', 'heads-file-invalid'] }) reason?: string;
  @ApiProperty({ required: false }) headSeq?: string;
  @ApiProperty({ required: false, description: 'hash of the last row walked (hex)' }) headHash?: string;
  @ApiProperty({ description: 'heads recorded outside the database that were compared' }) recordedHeads: number;
}

export class AccessLogEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'who' }) actorId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'their agency' }) actorAgencyId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the user’s name (null: the system)' }) actorName: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the agency’s name' }) actorAgencyName: string | null;
  @ApiProperty({ type: [String], description: 'their roles' }) actorRoles: string[];
  @ApiProperty({ example: 'case.read' }) action: string;
  @ApiProperty() objectType: string;
  @ApiProperty({ nullable: true, type: String }) objectId: string | null;
  @ApiProperty({ nullable: true, type: String }) purpose: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
}

export class AccessLogPageDto {
  @ApiProperty({ type: [AccessLogEntryDto] }) items: AccessLogEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
